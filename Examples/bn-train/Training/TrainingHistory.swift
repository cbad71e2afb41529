/// One epoch of one network's training.
struct EpochRecord: Sendable, Hashable {
    /// 1 for the first epoch.
    var epoch: Int
    /// The mean softmax cross-entropy over the epoch's training batches.
    var loss: Double
    /// The fraction of training examples classified right during the epoch, as trained (batch statistics).
    var trainingAccuracy: Double
    /// The fraction of held-out examples classified right after the epoch, in inference mode
    /// (running statistics).
    var heldOutAccuracy: Double
}

/// The distribution of one last-hidden-layer unit's input (the value its activation function
/// receives) over the probe examples, at one training step.
struct ProbeRecord: Sendable, Hashable {
    /// Training steps taken before the record (0: the initial network).
    var step: Int
    var mean: Double
    /// The 15th, 50th and 85th percentiles.
    var p15: Double
    var p50: Double
    var p85: Double
}

/// What training one network recorded.
struct TrainingHistory: Sendable, Hashable {
    /// "with batch norm" or "without batch norm".
    var label: String
    var epochs: [EpochRecord]
    var probes: [ProbeRecord]
    /// The first epoch whose held-out accuracy reached the target, nil if none did.
    var epochsToTarget: Int?
}

/// Both networks' histories and what the plots need to label them.
struct ExperimentReport: Sendable, Hashable {
    /// `circles` or `digits`, which prefixes the file names.
    var dataset: String
    /// The accuracy the final line counts epochs to, as a fraction.
    var targetAccuracy: Double
    var withBatchNorm: TrainingHistory
    var withoutBatchNorm: TrainingHistory
    /// A one-line description of the run (network, batch size, learning rate, seed) for plot titles.
    var caption: String
}
