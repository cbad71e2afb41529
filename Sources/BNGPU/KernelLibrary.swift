import BNCore
import BNKernels

/// Every kernel the library enqueues, with the family (the `.cl` file) that holds it.
enum KernelName: String, CaseIterable {
    case statsChunkPlanar = "bn_stats_chunk_planar"
    case statsChunkInterleaved = "bn_stats_chunk_interleaved"
    case statsMerge = "bn_stats_merge"
    case statsMoments = "bn_stats_moments"
    case inverseStd = "bn_inverse_std"
    case runningUpdate = "bn_running_update"
    case normalizePlanar = "bn_normalize_planar"
    case normalizeInterleaved = "bn_normalize_interleaved"
    case forwardTrainingResident = "bn_forward_training_resident"
    case forwardTrainingResidentInterleaved = "bn_forward_training_resident_interleaved"
    case backwardReducePlanar = "bn_backward_reduce_planar"
    case backwardReduceInterleaved = "bn_backward_reduce_interleaved"
    case backwardMerge = "bn_backward_merge"
    case backwardSums = "bn_backward_sums"
    case backwardDxPlanar = "bn_backward_dx_planar"
    case backwardDxInterleaved = "bn_backward_dx_interleaved"
    case backwardResident = "bn_backward_resident"
    case backwardResidentInterleaved = "bn_backward_resident_interleaved"
    case renormGain = "bn_renorm_gain"
    case renormGradient = "bn_renorm_gradient"
    case groupGradients = "bn_group_gradients"
    case copy = "bn_copy"
    case reluForward = "bn_relu_forward"
    case reluBackward = "bn_relu_backward"

    var family: KernelSource {
        switch self {
        case .statsChunkPlanar, .statsChunkInterleaved, .statsMerge, .statsMoments, .inverseStd, .runningUpdate: .statistics
        case .normalizePlanar, .normalizeInterleaved, .forwardTrainingResident, .forwardTrainingResidentInterleaved: .forward
        case .backwardReducePlanar, .backwardReduceInterleaved, .backwardMerge, .backwardSums,
             .backwardDxPlanar, .backwardDxInterleaved, .backwardResident, .backwardResidentInterleaved, .renormGain,
             .renormGradient, .groupGradients: .backward
        case .copy: .copy
        case .reluForward, .reluBackward: .activation
        }
    }

    /// Whether the kernel belongs to a batch-norm pass, whose plans keep work-groups within what
    /// every such kernel runs; the copy and the separate activation kernels plan their own ranges.
    var isBatchNormPass: Bool {
        switch family {
        case .statistics, .forward, .backward: true
        case .copy, .activation: false
        }
    }
}

/// The build-time choices of a program, passed as `-D` defines: one source, many variants.
struct KernelVariant: Hashable {
    enum IndexWidth: Hashable, CaseIterable {
        /// `BN_INDEX_T=uint`: cheaper index arithmetic, for tensors under 2³¹ elements.
        case narrow
        /// `BN_INDEX_T=ulong`: any tensor the device can hold.
        case wide
    }

    /// The vector widths kernels are built for (`BN_VECTOR_WIDTH`).
    static let vectorWidths = [1, 2, 4, 8, 16]

    var indexWidth: IndexWidth
    /// Floats per vector load: one of ``vectorWidths``.
    var vectorWidth = 4
    /// Feature vectors an interleaved reduction's work-item takes side by side: one of ``vectorWidths``.
    var span = 1
    /// How tensors are stored (`BN_STORAGE`): per-feature arrays and arithmetic stay float.
    var storage = ElementType.float32
    /// What the call's operands ask of the build (`BN_FUSED`, `BN_FROM_VARIANCE`): set by each run
    /// from its ``KernelCall``, not by the plan.
    var operands = OperandCase()

    /// The `-D` options of this variant.
    var defines: String {
        "-DBN_INDEX_T=\(indexWidth == .narrow ? "uint" : "ulong") -DBN_VECTOR_WIDTH=\(vectorWidth) -DBN_SPAN=\(span)"
            + " -DBN_STORAGE=\(storageDefine) -DBN_FUSED=\(operands.fused ? 1 : 0)"
            + " -DBN_FROM_VARIANCE=\(operands.fromVariance ? 1 : 0)"
    }

    /// The variant with the operand case its family reads, so that families that read none build once.
    func read(by family: KernelSource) -> KernelVariant {
        var variant = self
        variant.operands = operands.read(by: family)
        return variant
    }

    /// `BN_STORAGE`'s value for ``storage``: 0 float, 1 half, 2 bfloat16 (bn_storage.cl).
    private var storageDefine: Int {
        switch storage {
        case .float32: 0
        case .float16: 1
        case .bfloat16: 2
        }
    }

    /// How tables name the index width: `32-bit` or `64-bit`.
    var indexName: String { indexWidth == .narrow ? "32-bit" : "64-bit" }
}

/// The build-time choices a call's own operands decide (`bn_storage.cl`): the fused build reads the
/// fused operands (z and relu; the backward pass's y and dz), which the plain build takes as absent so
/// that its loops carry none of the fusion; the from-variance build of a normalization works out
/// 1/√(variance + ε) from the variance instead of taking invStd. Argument lists are the same in
/// every case, so that the call decides the case and a kernel ignores what its build does not read.
struct OperandCase: Hashable, CaseIterable {
    /// `BN_FUSED=1`.
    var fused = false
    /// `BN_FROM_VARIANCE=1`.
    var fromVariance = false

    static let allCases = [false, true].flatMap { fused in
        [false, true].map { OperandCase(fused: fused, fromVariance: $0) }
    }

    /// The case as `family`'s programs read it: the forward family reads both defines, the backward
    /// family `BN_FUSED`, the others neither.
    func read(by family: KernelSource) -> OperandCase {
        switch family {
        case .forward: self
        case .backward: OperandCase(fused: fused)
        case .statistics, .copy, .activation: OperandCase()
        }
    }
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

    /// The kernel, built for `variant` (with the operand case its family reads) on first use.
    /// - Throws: `BatchNormError.kernelBuildFailed` with the log.
    mutating func kernel(_ name: KernelName, variant: KernelVariant) throws -> Kernel {
        let variant = variant.read(by: name.family)
        let key = KernelKey(name: name, variant: variant)
        if let kernel = kernels[key] { return kernel }
        let kernel = try Kernel(program: try program(name.family, variant: variant), name: name.rawValue)
        kernels[key] = kernel
        return kernel
    }

    /// The kernel in each operand case its family builds (one for a family that reads none).
    mutating func everyCase(of name: KernelName, variant: KernelVariant) throws -> [Kernel] {
        // a case the family reads is one its reading leaves as it is
        try OperandCase.allCases.filter { $0 == $0.read(by: name.family) }.map { operands in
            var built = variant
            built.operands = operands
            return try kernel(name, variant: built)
        }
    }

    /// Builds every program for `variant`, in every operand case, and makes every kernel, as a check
    /// that the device's compiler takes the library: a driver may build a program and still fail to
    /// make its kernels.
    /// - Throws: `BatchNormError.kernelBuildFailed` or `BatchNormError.openCLCallFailed`.
    mutating func buildEveryKernel(variant: KernelVariant) throws {
        for name in KernelName.allCases {
            _ = try everyCase(of: name, variant: variant)
        }
    }

    private mutating func program(_ family: KernelSource, variant: KernelVariant) throws -> Program {
        let key = ProgramKey(family: family, variant: variant)
        if let program = programs[key] { return program }
        let source = Self.injectedSource.map { $0(family) } ?? Self.source(of: family)
        let program = try Program(context: context, source: source, options: buildOptions(variant), name: family.rawValue)
        programs[key] = program
        return program
    }

    /// A test-only seam: while set for the current task, programs are built from the source it
    /// returns for a family instead of the embedded one, so that a test can make a build fail.
    /// A failed build is not cached; the next call builds again.
    @TaskLocal static var injectedSource: (@Sendable (KernelSource) -> String)?

    /// The family's helper files in order, then its own file, each behind a `#line` that names it,
    /// so that a build log points at the file and line to edit.
    static func source(of family: KernelSource) -> String {
        (family.helpers.map { ($0.rawValue, $0.text) } + [(family.rawValue, family.text)])
            .map { name, text in "#line 1 \"\(name).cl\"\n" + text }
            .joined(separator: "\n")
    }

    /// A test-only seam: while set for the current task, programs are built with
    /// `-cl-kernel-arg-info`, so that their kernels describe their parameters (``Kernel/parameters()``).
    @TaskLocal static var keepsArgumentInfo = false

    /// The variant's defines, and correctly rounded `/` and `sqrt` where the device offers them, so
    /// that 1/√(σ² + ε) is as exact as the float format allows.
    private func buildOptions(_ variant: KernelVariant) -> String {
        let rounding = context.device.hasCorrectlyRoundedDivideSqrt ? " -cl-fp32-correctly-rounded-divide-sqrt" : ""
        return variant.defines + rounding + (Self.keepsArgumentInfo ? " -cl-kernel-arg-info" : "")
    }
}
