import BNKernels

/// Every kernel the library enqueues, with the family (the `.cl` file) that holds it.
enum KernelName: String, CaseIterable {
    case statsPartialPlanar = "bn_stats_partial_planar"
    case statsPartialInterleaved = "bn_stats_partial_interleaved"
    case statsMean = "bn_stats_mean"
    case statsVariance = "bn_stats_variance"
    case inverseStd = "bn_inverse_std"
    case normalizePlanar = "bn_normalize_planar"
    case normalizeInterleaved = "bn_normalize_interleaved"
    case backwardReducePlanar = "bn_backward_reduce_planar"
    case backwardReduceInterleaved = "bn_backward_reduce_interleaved"
    case backwardMerge = "bn_backward_merge"
    case backwardInputGradientPlanar = "bn_backward_dx_planar"
    case backwardInputGradientInterleaved = "bn_backward_dx_interleaved"
    case copy = "bn_copy"

    var family: KernelSource {
        switch self {
        case .statsPartialPlanar, .statsPartialInterleaved, .statsMean, .statsVariance, .inverseStd: .statistics
        case .normalizePlanar, .normalizeInterleaved: .forward
        case .backwardReducePlanar, .backwardReduceInterleaved, .backwardMerge,
             .backwardInputGradientPlanar, .backwardInputGradientInterleaved: .backward
        case .copy: .copy
        }
    }
}

/// The build-time choices of a program, passed as `-D` defines: one source, many variants.
struct KernelVariant: Hashable {
    enum IndexWidth: Hashable {
        /// `BN_INDEX_T=uint`: cheaper index arithmetic, for tensors under 2³¹ elements.
        case narrow
        /// `BN_INDEX_T=ulong`: any tensor the device can hold.
        case wide
    }

    var indexWidth: IndexWidth
    /// Planar ranges cover more planes or features than there are, and kernels skip the excess
    /// (`BN_CHECK_RANGE=1`); otherwise ranges are exact and kernels test nothing.
    var checksRange = false

    /// The `-D` options of this variant.
    var defines: String {
        "-DBN_INDEX_T=\(indexWidth == .narrow ? "uint" : "ulong") -DBN_CHECK_RANGE=\(checksRange ? 1 : 0)"
    }

    /// How tables name it: `32-bit`, or `64-bit, range-checked`.
    var name: String { (indexWidth == .narrow ? "32-bit" : "64-bit") + (checksRange ? ", range-checked" : "") }
}

/// The programs and kernels of one context: each program is built once per variant and cached, and
/// each kernel object is made once. Used under the backend's lock.
struct KernelLibrary {
    let context: Context
    private var programs: [ProgramKey: Program] = [:]
    private var kernels: [KernelKey: Kernel] = [:]

    private struct ProgramKey: Hashable {
        var family: KernelSource
        var variant: KernelVariant
    }

    private struct KernelKey: Hashable {
        var name: KernelName
        var variant: KernelVariant
    }

    init(context: Context) {
        self.context = context
    }

    /// The kernel, built for `variant` on first use.
    /// - Throws: `BatchNormError.kernelBuildFailed` with the log.
    mutating func kernel(_ name: KernelName, variant: KernelVariant) throws -> Kernel {
        let key = KernelKey(name: name, variant: variant)
        if let kernel = kernels[key] { return kernel }
        let kernel = try Kernel(program: try program(name.family, variant: variant), name: name.rawValue)
        kernels[key] = kernel
        return kernel
    }

    private mutating func program(_ family: KernelSource, variant: KernelVariant) throws -> Program {
        let key = ProgramKey(family: family, variant: variant)
        if let program = programs[key] { return program }
        let program = try Program(context: context, source: Self.source(of: family), options: buildOptions(variant),
                                  name: family.rawValue)
        programs[key] = program
        return program
    }

    /// The common helpers, then the family, with line numbers of build logs counted from the
    /// family file's first line.
    static func source(of family: KernelSource) -> String {
        KernelSource.common + "\n#line 1\n" + family.text
    }

    /// The variant's defines, and correctly rounded `/` and `sqrt` where the device offers them, so
    /// that 1/√(σ² + ε) is as exact as the float format allows.
    private func buildOptions(_ variant: KernelVariant) -> String {
        let rounding = context.device.hasCorrectlyRoundedDivideSqrt ? " -cl-fp32-correctly-rounded-divide-sqrt" : ""
        return variant.defines + rounding
    }
}
