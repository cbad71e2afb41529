import BatchNorm

/// How both networks train: the same for each, so that batch norm is the only difference.
struct TrainingSettings: Sendable, Hashable {
    var epochs: Int
    /// Examples per step; each epoch takes the training set in a shuffled order, in whole batches.
    var batchSize: Int
    var learningRate: Float
    /// The held-out accuracy, as a fraction, that the final line counts epochs to.
    var targetAccuracy: Double
    /// Which last-hidden-layer unit's input is recorded.
    var probeUnit: Int
    /// Steps between two records of that input.
    var probeInterval: Int
    var seed: UInt64
}

/// Trains one network epoch by epoch and records what the report shows.
final class NetworkTrainer<Backend: BatchNormBackend> {
    let network: Perceptron<Backend>
    let data: DatasetSplit
    let settings: TrainingSettings
    private(set) var history: TrainingHistory
    /// Training steps taken so far.
    private(set) var step = 0

    /// Records the initial network's probe (step 0).
    /// - Parameters:
    ///   - network: The network to train.
    ///   - data: Its training and held-out examples; the held-out ones are also the probe examples.
    ///   - settings: Epochs, batches, rate, target and probe.
    ///   - label: "with batch norm" or "without batch norm".
    /// - Throws: What a batch norm pass throws.
    init(network: Perceptron<Backend>, data: DatasetSplit, settings: TrainingSettings, label: String) throws {
        self.network = network
        self.data = data
        self.settings = settings
        history = TrainingHistory(label: label, epochs: [], probes: [], epochsToTarget: nil)
        try recordProbe()
    }

    /// The batches of one epoch: the training set shuffled by the seed and the epoch (the same order
    /// for both networks), cut into whole batches; the remainder waits for another epoch.
    /// - Parameter epoch: 1 for the first.
    /// - Returns: The index ranges of the batches, into the shuffled order.
    func batchOrder(epoch: Int) -> [[Int]] {
        var random = SeededRandom(seed: settings.seed, stream: .shuffle, index: epoch)
        let order = Array(0..<data.training.count).shuffled(using: &random)
        let size = min(settings.batchSize, order.count)
        return stride(from: 0, through: order.count - size, by: size).map { Array(order[$0..<$0 + size]) }
    }

    /// Trains one epoch, then measures held-out accuracy in inference mode.
    /// - Parameter epoch: 1 for the first.
    /// - Returns: The epoch's record, also appended to ``history``.
    /// - Throws: What a batch norm pass throws.
    func runEpoch(_ epoch: Int) throws -> EpochRecord {
        var loss = 0.0, correct = 0, seen = 0
        let batches = batchOrder(epoch: epoch)
        for indices in batches {
            let batch = data.training.rows(indices)
            let result = try network.trainingStep(batch, learningRate: settings.learningRate)
            loss += result.loss
            correct += result.correct
            seen += batch.count
            step += 1
            if step % settings.probeInterval == 0 { try recordProbe() }
        }
        let record = EpochRecord(epoch: epoch, loss: loss / Double(batches.count),
                                 trainingAccuracy: Double(correct) / Double(seen),
                                 heldOutAccuracy: try network.inferenceAccuracy(data.heldOut))
        history.epochs.append(record)
        if history.epochsToTarget == nil, record.heldOutAccuracy >= settings.targetAccuracy {
            history.epochsToTarget = epoch
        }
        return record
    }

    /// Appends the probe unit's input distribution over the held-out examples now.
    private func recordProbe() throws {
        let values = try network.lastHiddenInputs(data.heldOut, unit: settings.probeUnit)
        history.probes.append(ProbeRecord(step: step, values: values))
    }
}
