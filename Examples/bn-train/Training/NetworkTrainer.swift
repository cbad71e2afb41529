import BatchNorm

/// How the networks train: the same for each, so that normalization is the only difference.
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
    /// How each epoch's batches are drawn: i.i.d. unless the run asks for two classes per batch.
    var batches: BatchSampling = .iid
}

/// Trains one network epoch by epoch and records what the report shows.
final class NetworkTrainer<Network: TrainableNetwork> {
    let network: Network
    let data: DatasetSplit
    let settings: TrainingSettings
    /// The renormalization limits per step, for the batch-renorm network; nil for the others.
    let schedule: RenormSchedule?
    private(set) var history: TrainingHistory
    /// Training steps taken so far.
    private(set) var step = 0

    /// Records the initial network's probe (step 0).
    /// - Parameters:
    ///   - network: The network to train.
    ///   - data: Its training and held-out examples; the held-out ones are also the probe examples.
    ///   - settings: Epochs, batches, rate, target and probe.
    ///   - label: "with batch norm" or "without batch norm".
    ///   - schedule: The limits that renormalize each step, set on the network's batch norms before
    ///     it; nil to leave their options as they are.
    /// - Throws: What a batch norm pass throws.
    init(network: Network, data: DatasetSplit, settings: TrainingSettings, label: String,
         schedule: RenormSchedule? = nil) throws {
        self.network = network
        self.data = data
        self.settings = settings
        self.schedule = schedule
        history = TrainingHistory(label: label, epochs: [], probes: [], epochsToTarget: nil)
        try recordProbe()
    }

    /// The batches of one epoch, drawn by the seed and the epoch alone, so the same for every network:
    /// the training set shuffled and cut into whole batches (the remainder waits for another
    /// epoch), or two classes per batch (``Dataset/twoClassBatches(size:using:)``).
    /// - Parameter epoch: 1 for the first.
    /// - Returns: The training-set indices of each batch.
    func batchOrder(epoch: Int) -> [[Int]] {
        data.training.batches(size: settings.batchSize, sampling: settings.batches, seed: settings.seed, epoch: epoch)
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
            if let schedule { network.renormalization = schedule.limits(atStep: step) }
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
