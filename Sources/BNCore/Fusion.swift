/// An elementwise operation a pass fuses after the normalization, so that y is written once and
/// the backward pass reads no separate activation tensor.
///
/// - `.relu`: the forward pass writes relu(y); the backward pass takes that output and passes dy
///   only where it is positive.
/// - `.addRelu`: the residual block of ResNets: the forward pass writes relu(y + z) with z a second
///   input of x's shape; the backward pass masks dy the same way and also returns dz (the masked dy).
///
/// relu(v) is `v < 0 ? 0 : v`, so a NaN passes through as PyTorch's `relu` passes it; the mask
/// drops dy where the output is `<= 0`, as PyTorch's `threshold_backward` does.
public enum FusedOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Batch norm alone.
    case none
    /// relu(batch norm).
    case relu
    /// relu(batch norm + z).
    case addRelu = "add-relu"

    /// Whether the forward pass reads a second input z and the backward pass writes dz.
    public var addsInput: Bool { self == .addRelu }

    public var description: String { rawValue }
}
