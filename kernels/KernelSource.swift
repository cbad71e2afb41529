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
    case activation = "bn_activation"

    /// The helper files built in front of the family's own file, in this order: every family takes
    /// the shared ones, and the backward family its reductions' and dx kernels' helpers too.
    public var helpers: [KernelHelper] {
        self == .backward ? KernelHelper.shared + [.gradientSums, .inputGradient] : KernelHelper.shared
    }

    /// The family's own source (`<rawValue>.cl`).
    public var text: String {
        switch self {
        case .statistics: Self.text(PackageResources.bn_statistics_cl)
        case .forward: Self.text(PackageResources.bn_forward_cl)
        case .backward: Self.text(PackageResources.bn_backward_cl)
        case .copy: Self.text(PackageResources.bn_copy_cl)
        case .activation: Self.text(PackageResources.bn_activation_cl)
        }
    }

    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// The OpenCL C helper files, which hold no kernel: each family is built from its helpers, in
/// order, then its own file.
public enum KernelHelper: String, CaseIterable, Sendable {
    /// The view, the defines, vectors and storage types (`bn_storage.cl`).
    case storage = "bn_storage"
    /// ReLU and its gradient, the fused operation (`bn_fusion.cl`).
    case fusion = "bn_fusion"
    /// Compensated sums and fixed-order trees (`bn_sums.cl`).
    case sums = "bn_sums"
    /// Which planes, rows or features a work-group takes (`bn_work.cl`).
    case work = "bn_work"
    /// Moments, their merge and a feature's statistics (`bn_moments.cl`).
    case moments = "bn_moments"
    /// The backward reductions' sums (`bn_gradient_sums.cl`).
    case gradientSums = "bn_gradient_sums"
    /// The backward dx kernels' helpers (`bn_input_gradient.cl`).
    case inputGradient = "bn_input_gradient"

    /// The helpers every family takes, in the order they build.
    public static let shared: [KernelHelper] = [.storage, .fusion, .sums, .work, .moments]

    /// The helper's source (`<rawValue>.cl`).
    public var text: String {
        switch self {
        case .storage: KernelSource.text(PackageResources.bn_storage_cl)
        case .fusion: KernelSource.text(PackageResources.bn_fusion_cl)
        case .sums: KernelSource.text(PackageResources.bn_sums_cl)
        case .work: KernelSource.text(PackageResources.bn_work_cl)
        case .moments: KernelSource.text(PackageResources.bn_moments_cl)
        case .gradientSums: KernelSource.text(PackageResources.bn_gradient_sums_cl)
        case .inputGradient: KernelSource.text(PackageResources.bn_input_gradient_cl)
        }
    }
}
