/// The OpenCL C sources of the kernels, embedded in the binary at build time from the `.cl` files
/// beside this one, so that an installed executable needs no source tree.
public enum KernelSource: String, CaseIterable, Sendable {
    /// Batch statistics: partial sums, mean, variance, running-statistics update, inverse std.
    case statistics = "bn_statistics"
    /// Normalization.
    case forward = "bn_forward"
    /// Backward reductions and the input gradient.
    case backward = "bn_backward"
    /// The copy kernel that measures the bandwidth ceiling.
    case copy = "bn_copy"
    /// The activation as its own kernels (relu, add + relu, and their gradients): the unfused sequence.
    case elementwise = "bn_elementwise"

    /// The helpers every family shares (`bn_common.cl`), built before the family's own source.
    public static var common: String { text(PackageResources.bn_common_cl) }

    /// The family's own source (`<rawValue>.cl`).
    public var text: String {
        switch self {
        case .statistics: Self.text(PackageResources.bn_statistics_cl)
        case .forward: Self.text(PackageResources.bn_forward_cl)
        case .backward: Self.text(PackageResources.bn_backward_cl)
        case .copy: Self.text(PackageResources.bn_copy_cl)
        case .elementwise: Self.text(PackageResources.bn_elementwise_cl)
        }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
