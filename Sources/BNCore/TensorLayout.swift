/// The memory order of a tensor's elements.
///
/// Tensors are flat arrays. `.nchw` stores channels first and `.nhwc` channels last, whatever the
/// number of spatial dimensions (N, C, D, H, W is `.nchw` for a 3-D batch norm).
public enum TensorLayout: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Two dimensions, (N, C): a batch of feature vectors, as `BatchNorm1d` takes them.
    case nc
    /// Channels first: (N, C, spatial…), the spatial index varying fastest.
    case nchw
    /// Channels last: (N, spatial…, C), the channel index varying fastest.
    case nhwc

    public var description: String { rawValue.uppercased() }
}
