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
        try runElementwise(planar: .normalizePlanar, interleaved: .normalizeInterleaved, plan: plan, [
            .buffer(x), .buffer(y), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(invStdLow),
            .buffer(variance), .buffer(gamma), .buffer(beta), .buffer(z),
        ], trailing: [.float(epsilon), .flag(fusion != .none)])
    }

    /// Enqueues a whole training forward pass: batch statistics, running statistics and y. A resident
    /// plan does it in one kernel per feature (`bn_forward_training_resident`), the others in three.
    mutating func enqueueForwardTraining(
        x: OpenCLBuffer, z: OpenCLBuffer?, y: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, mean: OpenCLBuffer,
        invStd: OpenCLBuffer, running: RunningTarget, epsilon: Float, fusion: FusedOperation, plan: LaunchPlan
    ) throws {
        let meanLow = try workspace.perFeature(count: plan.geometry.features, slot: .meanLow)
        let invStdLow = try workspace.perFeature(count: plan.geometry.features, slot: .inverseStdLow)
        guard plan.isResident else {
            try enqueueStatistics(x: x, plan: plan, epsilon: epsilon, mean: mean, meanLow: meanLow, invStd: invStd,
                                  invStdLow: invStdLow, running: running)
            try enqueueNormalize(x: x, y: y, mean: mean, meanLow: meanLow, invStd: invStd, invStdLow: invStdLow,
                                 gamma: gamma, beta: beta, z: z, fusion: fusion, plan: plan)
            return
        }
        let geometry = plan.geometry
        try run(.forwardTrainingResident, variant: plan.variant, range: plan.reduction, [
            .buffer(x), .buffer(y), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(invStdLow), .buffer(gamma),
            .buffer(beta), .buffer(z),
            .buffer(running.mean), .buffer(running.variance),
            .size(geometry.outer), .size(geometry.features), .size(geometry.inner),
        ] + Self.statisticsScalars(epsilon: epsilon, running: running)
            + [.flag(fusion != .none), plan.reductionScratch(floatsPerWorkItem: 1)])
    }
}
