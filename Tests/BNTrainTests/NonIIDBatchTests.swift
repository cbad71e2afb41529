import BatchNorm
@testable import bn_train
import Testing

/// `--batches non-iid`: two classes per batch, half a batch each, the same batches for every network.
@Suite("bn-train's non-i.i.d. batches")
struct NonIIDBatchTests {
    /// The digits' training part for seed 1: ten classes of about 135 images.
    let training: Dataset

    init() throws {
        training = Digits.split(try Digits.load(), heldOutFraction: 0.25, seed: 1).training
    }

    @Test("each batch holds exactly two classes, half of the batch each", arguments: [60, 4, 2])
    func twoClasses(size: Int) {
        for epoch in 1...3 {
            let batches = training.batches(size: size, sampling: .nonIID, seed: 1, epoch: epoch)
            #expect(!batches.isEmpty)
            for batch in batches {
                #expect(batch.count == size)
                let labels = batch.map { training.labels[$0] }
                let counts = Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +)
                #expect(counts.count == 2 && counts.values.allSatisfy { $0 == size / 2 }, "epoch \(epoch): \(counts)")
            }
        }
    }

    @Test("an epoch takes each example at most once, leaving less than half a batch per class and one half batch more",
          arguments: [60, 4])
    func coverage(size: Int) {
        let batches = training.batches(size: size, sampling: .nonIID, seed: 1, epoch: 1)
        let taken = batches.joined()
        #expect(Set(taken).count == taken.count)
        let left = (0..<training.classes).map { label in
            training.labels.filter { $0 == label }.count - taken.filter { training.labels[$0] == label }.count
        }
        #expect(left.allSatisfy { $0 < size } && left.filter { $0 >= size / 2 }.count <= 1, "\(left)")
    }

    @Test("the batches depend on the seed and the epoch, and not on the network")
    func sameForEveryNetwork() throws {
        var experiment = TrainingTests.experiment(epochs: 2)
        experiment.data = Digits.split(try Digits.load(), heldOutFraction: 0.25, seed: 1)
        experiment.hidden = [8]
        experiment.settings.batches = .nonIID
        let layers = experiment.initialLayers()
        let trainers = try [CPUBackend(), nil].map { backend in
            try NetworkTrainer(network: Perceptron(layers: layers, activation: .sigmoid, batchNorm: backend, options: BatchNormOptions()),
                               data: experiment.data, settings: experiment.settings, label: "")
        }
        let first = trainers[0].batchOrder(epoch: 1)
        #expect(trainers.allSatisfy { $0.batchOrder(epoch: 1) == first })
        // Training a network does not move the order the other sees.
        _ = try trainers[0].runEpoch(1)
        #expect(trainers[1].batchOrder(epoch: 1) == first)
        #expect(first != trainers[0].batchOrder(epoch: 2))
        #expect(experiment.settings.seed != 2)
        #expect(experiment.data.training.batches(size: 20, sampling: .nonIID, seed: 2, epoch: 1) != first)
    }

    @Test("the class pairs vary: most pairs of digits meet within a few epochs")
    func pairsVary() {
        let pairs = (1...5).flatMap { epoch in
            training.batches(size: 60, sampling: .nonIID, seed: 1, epoch: epoch).map { batch in
                Set(batch.map { training.labels[$0] })
            }
        }
        // 45 pairs of ten digits; 5 epochs of 20 batches meet most of them if the partner is drawn.
        #expect(Set(pairs).count >= 25, "\(Set(pairs).count) distinct pairs")
    }
}
