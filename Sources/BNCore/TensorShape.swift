/// The dimensions and memory layout of a batch-norm input.
///
/// Construction never fails; a shape is checked when an operation uses it, and a shape with a
/// zero or negative dimension, or one whose element count overflows `Int`, is refused there with
/// ``BatchNormError/invalidShape(_:reason:)``.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    /// Batch size.
    public var n: Int
    /// Channels.
    public var c: Int
    /// Spatial dimensions in order (H, W for images; D, H, W for volumes); empty for `.nc`.
    public var spatial: [Int]
    /// The memory order of the elements.
    public var layout: TensorLayout

    /// A batch of feature vectors, (N, C), as `BatchNorm1d` takes them.
    /// - Parameters:
    ///   - n: The batch size.
    ///   - c: The number of features.
    public init(n: Int, c: Int) {
        self.init(n: n, c: c, spatial: [], layout: .nc)
    }

    /// A batch of images, (N, C, H, W), stored in `layout`.
    /// - Parameters:
    ///   - n: The batch size.
    ///   - c: The number of channels.
    ///   - h: The height.
    ///   - w: The width.
    ///   - layout: `.nchw` (channels first, the default) or `.nhwc` (channels last).
    public init(n: Int, c: Int, h: Int, w: Int, layout: TensorLayout = .nchw) {
        self.init(n: n, c: c, spatial: [h, w], layout: layout)
    }

    /// A batch with any number of spatial dimensions: `[d, h, w]` for a 3-D batch norm.
    /// - Parameters:
    ///   - n: The batch size.
    ///   - c: The number of channels.
    ///   - spatial: The spatial dimensions, outermost first.
    ///   - layout: `.nchw` (channels first, the default) or `.nhwc` (channels last).
    public init(n: Int, c: Int, spatial: [Int], layout: TensorLayout = .nchw) {
        self.n = n
        self.c = c
        self.spatial = spatial
        self.layout = layout
    }

    /// The dimensions in logical order: N, C, then the spatial ones.
    public var dimensions: [Int] { [n, c] + spatial }

    /// Reads as `[32, 64, 8, 8] NCHW`.
    public var description: String {
        "[\(dimensions.map(String.init).joined(separator: ", "))] \(layout)"
    }
}
