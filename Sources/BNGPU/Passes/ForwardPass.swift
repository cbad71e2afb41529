import BNCore

extension KernelRunner {
    /// Enqueues y = γ·((x − mean) − meanLow)·(invStd + invStdLow) + β (`bn_forward.cl`), then + z
    /// when z is given and relu when `fusion` asks; a nil γ, β or meanLow is read as 1, 0 and 0.
    mutating func enqueueNormalize(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLow: OpenCLBuffer?, invStd: OpenCLBuffer,
        invStdLow: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer? = nil,
        fusion: FusedOperation = .none, plan: LaunchPlan
    ) throws {
        try runNormalize(x: x, y: y, mean: mean, meanLow: meanLow, inverse: .given(invStd, invStdLow), gamma: gamma,
                         beta: beta, z: z, fusion: fusion, plan: plan)
    }

    /// Enqueues an inference pass's y from the running statistics: in the normalization kernel alone,
    /// which works out 1/√(variance + ε) per feature itself, where the plan allows that at no cost per
    /// value (``LaunchPlan/computesInverseStdInline``); otherwise `bn_inverse_std` first.
    mutating func enqueueInference(
        x: OpenCLBuffer, y: OpenCLBuffer, running: RunningStatisticsBuffers<OpenCLBuffer>, gamma: OpenCLBuffer?,
        beta: OpenCLBuffer?, z: OpenCLBuffer?, fusion: FusedOperation, epsilon: Float, plan: LaunchPlan
    ) throws {
        let inverse: InverseStd
        if plan.computesInverseStdInline {
            inverse = .fromVariance(running.variance, epsilon: epsilon)
        } else {
            let (invStd, invStdLow) = try enqueueInverseStd(variance: running.variance, plan: plan, epsilon: epsilon)
            inverse = .given(invStd, invStdLow)
        }
        try runNormalize(x: x, y: y, mean: running.mean, meanLow: nil, inverse: inverse, gamma: gamma, beta: beta, z: z,
                         fusion: fusion, plan: plan)
    }

    /// Where a normalization kernel takes 1/√(variance + ε) from.
    enum InverseStd {
        /// invStd + invStdLow, computed before.
        case given(OpenCLBuffer, OpenCLBuffer)
        /// The variance, from which the kernel computes it with ε.
        case fromVariance(OpenCLBuffer, epsilon: Float)
    }

    private mutating func runNormalize(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLow: OpenCLBuffer?, inverse: InverseStd,
        gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer?, fusion: FusedOperation, plan: LaunchPlan
    ) throws {
        let (invStd, invStdLow, variance, epsilon): (OpenCLBuffer?, OpenCLBuffer?, OpenCLBuffer?, Float) =
            switch inverse {
            case let .given(invStd, invStdLow): (invStd, invStdLow, nil, 0)
            case let .fromVariance(variance, epsilon): (nil, nil, variance, epsilon)
            }
        let geometry = plan.geometry, fuseRelu = fusion != .none
        let call: KernelCall = switch plan.traversal {
        case .planar:
            .normalizePlanar(x: x, y: y, mean: mean, meanLo: meanLow, invstd: invStd, invstdLo: invStdLow,
                             variance: variance, gamma: gamma, beta: beta, z: z, outer: geometry.outer,
                             features: geometry.features, inner: geometry.inner, planesPerItem: plan.blockLength,
                             epsilon: epsilon, fuseRelu: fuseRelu)
        case .interleaved:
            .normalizeInterleaved(x: x, y: y, mean: mean, meanLo: meanLow, invstd: invStd, invstdLo: invStdLow,
                                  variance: variance, gamma: gamma, beta: beta, z: z, rows: geometry.outer,
                                  features: geometry.features, rowsPerItem: plan.blockLength, epsilon: epsilon,
                                  fuseRelu: fuseRelu)
        }
        try run(call, variant: plan.variant, range: plan.elementwise)
    }

    /// Enqueues a whole training forward pass: batch statistics, running statistics and y. A resident
    /// plan does it in one kernel (`bn_forward_training_resident`, `…_resident_interleaved`), the others in three.
    /// With `renorm`, the pass renormalizes (Batch Renormalization): the statistics also write r, d
    /// and the constants the normalization then takes for invStd and β.
    mutating func enqueueForwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer?, y: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, mean: OpenCLBuffer,
        invStd: OpenCLBuffer, running: RunningTarget, renorm: RenormTarget?, epsilon: Float, fusion: FusedOperation,
        plan: LaunchPlan
    ) throws {
        let meanLow = try workspace.perFeature(count: plan.geometry.features, slot: .meanLow)
        let invStdLow = try workspace.perFeature(count: plan.geometry.features, slot: .inverseStdLow)
        guard plan.isResident else {
            try enqueueStatistics(x: x, plan: plan, epsilon: epsilon, mean: mean, meanLow: meanLow, invStd: invStd,
                                  invStdLow: invStdLow, running: running, renorm: renorm, gamma: gamma, beta: beta)
            try enqueueNormalize(x: x, y: y, mean: mean, meanLow: meanLow, invStd: renorm?.scale ?? invStd,
                                 invStdLow: renorm?.scaleLow ?? invStdLow, gamma: gamma, beta: renorm?.shift ?? beta,
                                 z: z, fusion: fusion, plan: plan)
            return
        }
        let geometry = plan.geometry
        let weights = RunningTarget.weights(of: running)
        let call: KernelCall = switch plan.traversal {
        case .planar:
            .forwardTrainingResident(
                x: x, y: y, mean: mean, meanLo: meanLow, invstd: invStd, invstdLo: invStdLow, gamma: gamma, beta: beta,
                z: z, runningMean: running.mean, runningVariance: running.variance, renorm: renorm,
                batchVariance: running.groupVariance, outer: geometry.outer,
                features: geometry.features, inner: geometry.inner, epsilon: epsilon, keep: weights.keep,
                take: weights.take, varianceDivisor: weights.varianceDivisor, fuseRelu: fusion != .none,
                scratch: plan.reductionScratch(floatsPerWorkItem: 1))
        case .interleaved:
            .forwardTrainingResidentInterleaved(
                x: x, y: y, mean: mean, meanLo: meanLow, invstd: invStd, invstdLo: invStdLow, gamma: gamma, beta: beta,
                z: z, runningMean: running.mean, runningVariance: running.variance, renorm: renorm,
                batchVariance: running.groupVariance, rows: geometry.outer, features: geometry.features,
                epsilon: epsilon, keep: weights.keep, take: weights.take, varianceDivisor: weights.varianceDivisor,
                fuseRelu: fusion != .none, scratch: plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth))
        }
        try run(call, variant: plan.variant, range: plan.reduction)
    }
}

/// The calls of `bn_forward.cl`'s kernels.
extension KernelCall {
    static func normalizePlanar(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLo: OpenCLBuffer?, invstd: OpenCLBuffer?,
        invstdLo: OpenCLBuffer?, variance: OpenCLBuffer?, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer?,
        outer: Int, features: Int, inner: Int, planesPerItem: Int, epsilon: Float, fuseRelu: Bool
    ) -> KernelCall {
        KernelCall(.normalizePlanar, operands: OperandCase(fused: z != nil || fuseRelu, fromVariance: variance != nil), [
            "x": .buffer(x), "y": .buffer(y), "mean": .buffer(mean), "mean_lo": .buffer(meanLo),
            "invstd": .buffer(invstd), "invstd_lo": .buffer(invstdLo), "variance": .buffer(variance),
            "gamma": .buffer(gamma), "beta": .buffer(beta), "z": .buffer(z), "outer": .size(outer),
            "features_arg": .size(features), "inner_arg": .size(inner), "planes_per_item": .size(planesPerItem),
            "epsilon": .float(epsilon), "fuse_relu": .flag(fuseRelu),
        ])
    }

    static func normalizeInterleaved(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLo: OpenCLBuffer?, invstd: OpenCLBuffer?,
        invstdLo: OpenCLBuffer?, variance: OpenCLBuffer?, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer?,
        rows: Int, features: Int, rowsPerItem: Int, epsilon: Float, fuseRelu: Bool
    ) -> KernelCall {
        KernelCall(.normalizeInterleaved, operands: OperandCase(fused: z != nil || fuseRelu, fromVariance: variance != nil), [
            "x": .buffer(x), "y": .buffer(y), "mean": .buffer(mean), "mean_lo": .buffer(meanLo),
            "invstd": .buffer(invstd), "invstd_lo": .buffer(invstdLo), "variance": .buffer(variance),
            "gamma": .buffer(gamma), "beta": .buffer(beta), "z": .buffer(z), "rows": .size(rows),
            "features_arg": .size(features), "rows_per_item": .size(rowsPerItem), "epsilon": .float(epsilon),
            "fuse_relu": .flag(fuseRelu),
        ])
    }

    static func forwardTrainingResidentInterleaved(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLo: OpenCLBuffer, invstd: OpenCLBuffer,
        invstdLo: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer?, runningMean: OpenCLBuffer,
        runningVariance: OpenCLBuffer, renorm: RenormTarget?, batchVariance: OpenCLBuffer?, rows: Int, features: Int,
        epsilon: Float, keep: Float, take: Float, varianceDivisor: Float, fuseRelu: Bool, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.forwardTrainingResidentInterleaved, operands: OperandCase(fused: z != nil || fuseRelu), [
            "x": .buffer(x), "y": .buffer(y), "mean": .buffer(mean), "mean_lo": .buffer(meanLo),
            "invstd": .buffer(invstd), "invstd_lo": .buffer(invstdLo), "gamma": .buffer(gamma), "beta": .buffer(beta),
            "z": .buffer(z), "running_mean": .buffer(runningMean), "running_variance": .buffer(runningVariance),
            "renorm_r": .buffer(renorm?.r), "renorm_d": .buffer(renorm?.d), "renorm_scale": .buffer(renorm?.scale),
            "renorm_scale_lo": .buffer(renorm?.scaleLow), "renorm_shift": .buffer(renorm?.shift),
            "batch_variance": .buffer(batchVariance), "rows_arg": .size(rows), "features_arg": .size(features),
            "epsilon": .float(epsilon), "keep": .float(keep), "take": .float(take),
            "variance_divisor": .float(varianceDivisor), "r_max": .float(renorm?.limits.rMax ?? 1),
            "d_max": .float(renorm?.limits.dMax ?? 0), "fuse_relu": .flag(fuseRelu), "scratch": scratch,
        ])
    }

    static func forwardTrainingResident(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLo: OpenCLBuffer, invstd: OpenCLBuffer,
        invstdLo: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer?, runningMean: OpenCLBuffer,
        runningVariance: OpenCLBuffer, renorm: RenormTarget?, batchVariance: OpenCLBuffer?, outer: Int, features: Int, inner: Int, epsilon: Float,
        keep: Float, take: Float, varianceDivisor: Float, fuseRelu: Bool, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.forwardTrainingResident, operands: OperandCase(fused: z != nil || fuseRelu), [
            "x": .buffer(x), "y": .buffer(y), "mean": .buffer(mean), "mean_lo": .buffer(meanLo),
            "invstd": .buffer(invstd), "invstd_lo": .buffer(invstdLo), "gamma": .buffer(gamma), "beta": .buffer(beta),
            "z": .buffer(z), "running_mean": .buffer(runningMean), "running_variance": .buffer(runningVariance),
            "renorm_r": .buffer(renorm?.r), "renorm_d": .buffer(renorm?.d), "renorm_scale": .buffer(renorm?.scale),
            "renorm_scale_lo": .buffer(renorm?.scaleLow), "renorm_shift": .buffer(renorm?.shift),
            "batch_variance": .buffer(batchVariance), "outer_arg": .size(outer), "features_arg": .size(features), "inner_arg": .size(inner),
            "epsilon": .float(epsilon), "keep": .float(keep), "take": .float(take),
            "variance_divisor": .float(varianceDivisor), "r_max": .float(renorm?.limits.rMax ?? 1),
            "d_max": .float(renorm?.limits.dMax ?? 0), "fuse_relu": .flag(fuseRelu), "scratch": scratch,
        ])
    }
}
