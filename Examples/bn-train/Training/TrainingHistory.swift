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

/// The histories of the networks a run trained, and what the plots need to label them.
struct ExperimentReport: Sendable, Hashable {
    /// `circles` or `digits`, which prefixes the file names.
    var dataset: String
    /// The accuracy the final line counts epochs to, as a fraction.
    var targetAccuracy: Double
    /// Each network with its history, in the order the tables and legends list them.
    var networks: [ReportNetwork]
    /// A one-line description of the run (network, batch size, learning rate, seed) for plot titles.
    var caption: String

    /// The kinds of network trained, in order.
    var kinds: [NetworkKind] { networks.map(\.kind) }

    /// One network's history.
    /// - Parameter kind: Which network.
    /// - Returns: Its history, nil when the run did not train it; setting nil leaves the report as it was.
    subscript(kind: NetworkKind) -> TrainingHistory? {
        get { networks.first { $0.kind == kind }?.history }
        set {
            guard let newValue, let index = networks.firstIndex(where: { $0.kind == kind }) else { return }
            networks[index].history = newValue
        }
    }
}
