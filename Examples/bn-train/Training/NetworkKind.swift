/// The networks bn-train can train side by side: the same layers and initial weights, differing only
/// in what normalizes each hidden layer.
enum NetworkKind: Sendable, Hashable, CaseIterable {
    /// Batch Renormalization (Ioffe 2017): batch norm corrected toward the running statistics, its
    /// limits following ``RenormSchedule``.
    case batchRenorm
    /// Batch norm (Ioffe and Szegedy 2015).
    case batchNorm
    /// No normalization: dense → activation.
    case plain

    /// Whether the hidden layers have a batch norm layer.
    var isNormalized: Bool { self != .plain }

    /// The name in figure legends and panel titles: "with batch norm".
    var label: String {
        switch self {
        case .batchRenorm: "with batch renorm"
        case .batchNorm: "with batch norm"
        case .plain: "without batch norm"
        }
    }

    /// The name in the per-epoch log line, where "without" beside "with batch norm" is enough.
    var logName: String { self == .plain ? "without" : label }

    /// The name in the last line: "batch renorm", "batch norm" or "none", as `--normalization` says it.
    var shortName: String {
        switch self {
        case .batchRenorm: "batch renorm"
        case .batchNorm: "batch norm"
        case .plain: "none"
        }
    }

    /// The `network` column's value in the report's tables.
    var tableName: String {
        switch self {
        case .batchRenorm: "batch_renorm"
        case .batchNorm: "batch_norm"
        case .plain: "plain"
        }
    }

    /// The colour figures draw it in: blue for batch norm and vermillion without, which every form of
    /// colour blindness tells apart, and bluish green for batch renorm.
    var colour: ChartColour {
        switch self {
        case .batchRenorm: .green
        case .batchNorm: .blue
        case .plain: .vermillion
        }
    }
}
