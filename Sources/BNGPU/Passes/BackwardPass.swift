extension KernelRunner {
    /// Enqueues the backward pass (`bn_backward.cl`): the reductions Σ dy, Σ dy·(x − mean) and
    /// Σ (x − mean), their merge into dβ, dγ and the mean's residual (what rounding the batch mean to
    /// a float lost), then dx; a resident plan with batch statistics does all of it in one kernel per
    /// feature. With `usesBatchStatistics` false (frozen statistics), the mean is taken as exact and
    /// dx is dy·γ·invStd. With `y`, the fused forward output, every kernel masks dy by its sign, and
    /// `dz` (when given) receives the masked dy.
    mutating func enqueueBackward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer,
        gamma: OpenCLBuffer?, dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let scale = 1 / Float(geometry.valuesPerFeature), reductionScale = KernelArgument.float(scale)
        if plan.isResident && usesBatchStatistics {
            try run(.backwardResident, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(y), .buffer(x), .buffer(mean), .buffer(invStd), .buffer(gamma), .buffer(dGamma),
                .buffer(dBeta), .buffer(dx), .buffer(dz), .size(geometry.outer), .size(geometry.features),
                .size(geometry.inner), reductionScale,
                plan.reductionScratch(floatsPerWorkItem: 1),
            ])
            return
        }
        let partial = try enqueueGradientPartials(dy: dy, y: y, x: x, mean: mean, plan: plan)
        let residual = try workspace.perFeature(count: geometry.features, slot: .meanLow)
        try run(.backwardMerge, variant: plan.variant, range: plan.merge, [
            .buffer(partial), .buffer(invStd), .buffer(dGamma), .buffer(dBeta), .buffer(residual), .size(plan.chunks),
            .size(geometry.features), reductionScale, .flag(usesBatchStatistics), plan.mergeScratch,
        ])
        try enqueueInputGradient(dy: dy, y: y, x: x, mean: mean, residual: residual, invStd: invStd, gamma: gamma,
                                 dGamma: dGamma, dBeta: dBeta, dx: dx, dz: dz, reductionScale: scale,
                                 usesBatchStatistics: usesBatchStatistics, plan: plan)
    }

    /// Enqueues each chunk's Σ dy, Σ dy·(x − mean) and Σ (x − mean) into the workspace's partials,
    /// which it returns, dy masked by the fused output y's sign when y is given. A resident plan runs
    /// as a planar one of a single chunk.
    mutating func enqueueGradientPartials(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, plan: LaunchPlan
    ) throws -> OpenCLBuffer {
        let geometry = plan.geometry
        let partial = try workspace.partials(count: 3 * plan.partialCount)
        switch plan.traversal {
        case .planar:
            try run(.backwardReducePlanar, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(y), .buffer(x), .buffer(mean), .buffer(partial), .size(geometry.outer),
                .size(geometry.features), .size(geometry.inner), .size(plan.chunkLength),
                plan.reductionScratch(floatsPerWorkItem: 1),
            ])
        case .interleaved:
            try run(.backwardReduceInterleaved, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(y), .buffer(x), .buffer(mean), .buffer(partial), .size(geometry.outer),
                .size(geometry.features), .size(plan.chunkLength), .size(plan.chunks),
                plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth),
            ])
        }
        return partial
    }

    /// Enqueues the three backward sums per feature (`bn_backward_sums`) into `sums`: Σ dy, then
    /// Σ dy·(x − mean), then Σ (x − mean), `features` floats each.
    mutating func enqueueGradientSums(dy: OpenCLBuffer, x: OpenCLBuffer, mean: OpenCLBuffer, plan: LaunchPlan,
                                      sums: OpenCLBuffer) throws {
        let partial = try enqueueGradientPartials(dy: dy, y: nil, x: x, mean: mean, plan: plan)
        try run(.backwardSums, variant: plan.variant, range: plan.merge, [
            .buffer(partial), .buffer(sums), .size(plan.chunks), .size(plan.geometry.features), plan.mergeScratch,
        ])
    }

    /// Enqueues dx from per-feature dγ, dβ and the mean's residual already in buffers
    /// (`bn_backward_dx_*`); `reductionScale` is 1/m of the batch they were summed over, which a
    /// synchronized pass takes from the whole batch rather than this device's part.
    mutating func enqueueInputGradient(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, residual: OpenCLBuffer,
        invStd: OpenCLBuffer, gamma: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, dx: OpenCLBuffer,
        dz: OpenCLBuffer?, reductionScale: Float, usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        try runElementwise(
            planar: .backwardInputGradientPlanar, interleaved: .backwardInputGradientInterleaved, plan: plan,
            [.buffer(dy), .buffer(y), .buffer(x), .buffer(mean), .buffer(residual), .buffer(invStd), .buffer(gamma),
             .buffer(dGamma), .buffer(dBeta), .buffer(dx), .buffer(dz)],
            trailing: [.float(reductionScale), .flag(usesBatchStatistics)])
    }
}
