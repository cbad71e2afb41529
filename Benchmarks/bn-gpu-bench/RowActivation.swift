import BatchNorm

/// How a row runs its activation: none (batch norm alone), fused into the pass
/// (``BatchNormOptions/fusion``), or unfused, as the separate kernels
/// (`OpenCLBackend.relu(_:adding:into:)` after a forward pass, `reluBackward` before the backward pass).
struct RowActivation: Hashable, Sendable {
    /// The activation computed, fused or not.
    let operation: FusedOperation
    /// Whether it runs as its own kernel around a pass with fusion `.none`.
    let isUnfused: Bool

    /// Batch norm alone.
    static let none = RowActivation(operation: .none, isUnfused: false)

    /// The rows `--fuse` asks for: batch norm alone, or the fused pass and then the unfused sequence.
    /// - Parameter operation: `--fuse`.
    /// - Returns: One or two activations, fused first.
    static func rows(for operation: FusedOperation) -> [RowActivation] {
        operation == .none ? [.none]
            : [RowActivation(operation: operation, isUnfused: false), RowActivation(operation: operation, isUnfused: true)]
    }

    /// The fusion the batch-norm call is made with: `.none` when the activation runs separately.
    var passFusion: FusedOperation { isUnfused ? .none : operation }

    /// The `fuse` column: `none`, `relu`, `relu-unfused`, `add-relu` or `add-relu-unfused`.
    var reportName: String {
        operation == .none ? "none" : operation.rawValue + (isUnfused ? "-unfused" : "")
    }
}
