extension KernelRunner {
    /// Enqueues the backward pass (`bn_backward.cl`): the reductions Σ dy, Σ dy·(x − mean) and
    /// Σ (x − mean), their merge into dβ, dγ and the mean's residual (what rounding the batch mean to
    /// a float lost), then dx; a resident plan with batch statistics does all of it in one kernel per
    /// feature. With `usesBatchStatistics` false (frozen statistics), the mean is taken as exact and
    /// dx is dy·γ·invStd.
    mutating func enqueueBackward(
        dy: OpenCLBuffer, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, gamma: OpenCLBuffer?,
        dx: OpenCLBuffer, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let reductionScale = KernelArgument.float(1 / Float(geometry.valuesPerFeature))
        if plan.isResident && usesBatchStatistics {
            try run(.backwardResident, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(x), .buffer(mean), .buffer(invStd), .buffer(gamma), .buffer(dGamma), .buffer(dBeta),
                .buffer(dx), .size(geometry.outer), .size(geometry.features), .size(geometry.inner), reductionScale,
                plan.reductionScratch(floatsPerWorkItem: 1),
            ])
            return
        }
        let partial = try workspace.partials(count: 3 * plan.partialCount)
        let residual = try workspace.perFeature(count: geometry.features, slot: .meanLow)
        switch plan.traversal {
        case .planar:
            try run(.backwardReducePlanar, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(x), .buffer(mean), .buffer(partial), .size(geometry.outer), .size(geometry.features),
                .size(geometry.inner), .size(plan.chunkLength), plan.reductionScratch(floatsPerWorkItem: 1),
            ])
        case .interleaved:
            try run(.backwardReduceInterleaved, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(x), .buffer(mean), .buffer(partial), .size(geometry.outer), .size(geometry.features),
                .size(plan.chunkLength), .size(plan.chunks),
            ])
        }
        try run(.backwardMerge, variant: plan.variant, range: plan.perFeature, [
            .buffer(partial), .buffer(invStd), .buffer(dGamma), .buffer(dBeta), .buffer(residual), .size(plan.chunks),
            .size(geometry.features), reductionScale, .flag(usesBatchStatistics),
        ])
        try runElementwise(
            planar: .backwardInputGradientPlanar, interleaved: .backwardInputGradientInterleaved, plan: plan,
            [.buffer(dy), .buffer(x), .buffer(mean), .buffer(residual), .buffer(invStd), .buffer(gamma), .buffer(dGamma),
             .buffer(dBeta), .buffer(dx)],
            trailing: [reductionScale, .flag(usesBatchStatistics)])
    }
}
