import ArgumentParser
import BatchNorm

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

    /// Whole tensors of N·C·H·W elements the effective bandwidth counts: x read and y written for the
    /// forward passes; x and dy read and dx written for backward; with an activation, also z read
    /// (add-relu) in the forward passes, and y read (and dz written, add-relu) in backward. Per-feature
    /// arrays, second reads (training reads x twice) and an unfused sequence's extra round trip are
    /// not counted, so the figure is comparable with a copy and between fused and unfused rows.
    /// - Parameter operation: The activation, fused or not.
    /// - Returns: The tensors.
    func tensorsCounted(with operation: FusedOperation) -> Int {
        let added = operation.addsInput ? 1 : 0
        switch self {
        case .forwardTraining, .forwardInference, .forwardTrainingSplit: return 2 + added
        case .backward, .backwardSplit: return 3 + (operation == .none ? 0 : 1) + added
        }
    }

    /// Whether the pass computes gradients.
    var isBackward: Bool { self == .backward || self == .backwardSplit }

    /// Whether the pass can fuse an activation; the split phases of synchronized batch norm fuse none.
    var fusesActivation: Bool { self != .forwardTrainingSplit && self != .backwardSplit }

    /// Whether the pass needs batch statistics, hence more than one value per feature.
    var needsBatchStatistics: Bool { self != .forwardInference }
}
