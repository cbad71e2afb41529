extension KernelRunner {
    /// Enqueues the backward pass (`bn_backward.cl`): the reductions Σ dy and Σ dy·(x − mean), their
    /// merge into dβ and dγ, then dx. With `usesBatchStatistics` false (frozen statistics), dx is
    /// dy·γ·invStd.
    mutating func enqueueBackward(
        dy: OpenCLBuffer, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, gamma: OpenCLBuffer?,
        dx: OpenCLBuffer, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let partial = try workspace.partials(count: 2 * plan.partialCount)
        try runReduction(planar: .backwardReducePlanar, interleaved: .backwardReduceInterleaved, plan: plan,
                         scratchPerWorkItem: 2, [.buffer(dy), .buffer(x), .buffer(mean), .buffer(partial)])
        try run(.backwardMerge, variant: plan.variant, range: plan.perFeature, [
            .buffer(partial), .buffer(invStd), .buffer(dGamma), .buffer(dBeta), .size(plan.chunks), .size(plan.geometry.features),
        ])
        try runElementwise(
            planar: .backwardInputGradientPlanar, interleaved: .backwardInputGradientInterleaved, plan: plan,
            [.buffer(dy), .buffer(x), .buffer(mean), .buffer(invStd), .buffer(gamma), .buffer(dGamma), .buffer(dBeta), .buffer(dx)],
            trailing: [.float(1 / Float(plan.geometry.valuesPerFeature)), .flag(usesBatchStatistics)])
    }
}
