import ArgumentParser

/// A batch-norm pass the bench times, named on the command line as `--passes` takes it.
enum PassKind: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Batch statistics, normalization and the running-statistics update.
    case forwardTraining = "forward-training"
    /// Normalization with the running statistics.
    case forwardInference = "forward-inference"
    /// dx, dγ and dβ from dy, x and the training pass's mean and invStd.
    case backward
    /// ``forwardTraining`` split as synchronized batch norm runs it on each device: local statistics,
    /// read back and merged on the host, then the normalization. Not in the default set.
    case forwardTrainingSplit = "forward-training-split"
    /// ``backward`` split likewise: local gradient sums, read back and totalled, then dx. Not in the default set.
    case backwardSplit = "backward-split"

    /// The passes a run times unless `--passes` says otherwise: the fused single-device ones.
    static let standard: [PassKind] = [.forwardTraining, .forwardInference, .backward]

    /// The name in the JSON and CSV reports: `forward_training`.
    var reportName: String { String(rawValue.map { $0 == "-" ? "_" : $0 }) }

    /// Whole tensors of N·C·H·W floats the effective bandwidth counts: x read and y written for the
    /// forward passes; x and dy read and dx written for backward. Per-feature arrays and second reads
    /// (training reads x twice) are not counted, so the figure is comparable with a copy.
    var tensorsCounted: Int {
        switch self {
        case .forwardTraining, .forwardInference, .forwardTrainingSplit: 2
        case .backward, .backwardSplit: 3
        }
    }

    /// Whether the pass needs batch statistics, hence more than one value per feature.
    var needsBatchStatistics: Bool { self != .forwardInference }
}
