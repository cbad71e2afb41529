import BatchNorm
@testable import bn_train
import BNTestSupport
import Testing

/// The end-to-end claim: with batch norm, the same network from the same weights on the same
/// batches learns in fewer epochs. On OpenCL this is also the strongest check that forward,
/// backward and running statistics are right together: a wrong gradient or a stale running
/// statistic would not train, or would not show it in inference mode.
@Suite("bn-train trains")
struct TrainingTests {
    /// A small run that debug builds finish in seconds: 300 points, batches of 20, two hidden layers
    /// of 16. Measured with `bn-train --epochs 40 --samples 300 --hidden 16,16 --learning-rate 0.3
    /// --batch-size 20 --initial-scale 1` on seeds 1 to 5: 90 % after 7 to 15 epochs with batch norm,
    /// 8 to 28 without; seed 3 gives 8 and 21 on both backends, a margin that rounding cannot close.
    static func experiment(epochs: Int = 40) -> Experiment {
        Experiment(
            datasetName: "circles",
            data: ConcentricCircles(factor: 0.5, noise: 0.1).split(training: 300, heldOut: 150, seed: 3),
            hidden: [16, 16], activation: .sigmoid, initialScale: 1,
            settings: TrainingSettings(epochs: epochs, batchSize: 20, learningRate: 0.3, targetAccuracy: 0.9,
                                       probeUnit: 0, probeInterval: 15, seed: 3),
            options: BatchNormOptions(), evaluationBatchSizes: [20, 2])
    }

    /// The backends the claim is checked on: the CPU reference, and OpenCL where a device exists.
    static let backends = ["cpu"] + (TestBackends.hasOpenCLDevice ? ["opencl"] : [])

    @Test("the batch-norm network reaches 90 % in fewer epochs, and both losses fall", arguments: backends)
    func fewerEpochs(backend: String) throws {
        var lines = [String]()
        let outcome = backend == "cpu" ? try Self.experiment().run(on: CPUBackend()) { lines.append($0) }
            : try Self.experiment().run(on: TestBackends.openCL()) { lines.append($0) }
        let report = outcome.report
        #expect(lines.count == 40)
        let with = try #require(report[.batchNorm]?.epochsToTarget, "never reached 90 % with batch norm")
        let without = try #require(report[.plain]?.epochsToTarget, "never reached 90 % without batch norm")
        #expect(with < without, "with batch norm \(with), without \(without)")
        for history in report.networks.map(\.history) {
            let first = history.epochs[0].loss, last = history.epochs.suffix(5).map(\.loss).reduce(0, +) / 5
            #expect(last < 0.5 * first, "\(history.label): loss \(first) → \(last)")
            // A probe at step 0 and every 15 steps after: 40 epochs of 15 steps.
            #expect(history.probes.map(\.step) == Array(stride(from: 0, through: 600, by: 15)))
        }
        // Running statistics serve one example as well as a batch; statistics of 2 examples do not.
        #expect(outcome.inferenceAccuracy(.batchNorm) >= 0.9)
        let pairs = try #require(outcome.batchStatisticsAccuracy.first { $0.batchSize == 2 })
        #expect(pairs.accuracy < outcome.inferenceAccuracy(.batchNorm) - 0.1)
    }

    @Test("both networks start from the same weights and see the same batches")
    func sameStart() throws {
        let experiment = Self.experiment()
        #expect(experiment.initialLayers() == experiment.initialLayers())
        let trainer = try NetworkTrainer(network: Perceptron<CPUBackend>(layers: experiment.initialLayers(), activation: .sigmoid,
                                                                         batchNorm: nil, options: BatchNormOptions()),
                                         data: experiment.data, settings: experiment.settings, label: "plain")
        let order = trainer.batchOrder(epoch: 1)
        #expect(order.count == 15 && order.allSatisfy { $0.count == 20 })
        #expect(Set(order.joined()) == Set(0..<300))
        #expect(order == trainer.batchOrder(epoch: 1) && order != trainer.batchOrder(epoch: 2))
    }

    @Test("measuring with batch statistics leaves the running statistics as they were")
    func batchStatisticsEvaluation() throws {
        let experiment = Self.experiment()
        let network = try Perceptron(layers: experiment.initialLayers(), activation: .sigmoid, batchNorm: CPUBackend(),
                                     options: BatchNormOptions())
        _ = try network.trainingStep(experiment.data.training.rows(0..<20), learningRate: 0.3)
        let before = try network.norms.map { try $0.runningStatistics() }
        _ = try network.batchStatisticsAccuracy(experiment.data.heldOut, batchSize: 7)
        #expect(try network.norms.map { try $0.runningStatistics() } == before)
        #expect(network.isTraining)
    }

    @Test("the last line reads as the issue asks, with `not reached`")
    func lastLine() {
        let history = TrainingHistory(label: "", epochs: [], probes: [], epochsToTarget: 12)
        var report = ExperimentReport(dataset: "circles", targetAccuracy: 0.9,
                                      networks: [ReportNetwork(kind: .batchNorm, history: history),
                                                 ReportNetwork(kind: .plain, history: history)], caption: "")
        report[.plain]?.epochsToTarget = nil
        #expect(finalLine(report) == "epochs to 90% accuracy: with batch norm 12, without not reached")
        report.targetAccuracy = 0.925
        #expect(finalLine(report) == "epochs to 92.5% accuracy: with batch norm 12, without not reached")
    }
}
