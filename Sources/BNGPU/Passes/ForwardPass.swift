import BNCore

extension KernelRunner {
    /// Enqueues y = γ·((x − mean) − meanLow)·(invStd + invStdLow) + β (`bn_forward.cl`), then + z
    /// when z is given and relu when `fusion` asks; a nil γ, β or meanLow is read as 1, 0 and 0.
    mutating func enqueueNormalize(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLow: OpenCLBuffer?, invStd: OpenCLBuffer,
        invStdLow: OpenCLBuffer, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, z: OpenCLBuffer? = nil,
        fusion: FusedOperation = .none, plan: LaunchPlan
    ) throws {
        try runElementwise(planar: .normalizePlanar, interleaved: .normalizeInterleaved, plan: plan, [
            .buffer(x), .buffer(y), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(invStdLow), .buffer(gamma),
            .buffer(beta), .buffer(z),
        ], trailing: [.flag(fusion != .none)])
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
