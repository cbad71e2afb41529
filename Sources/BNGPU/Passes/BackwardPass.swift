extension KernelRunner {
    /// Enqueues the backward pass (`bn_backward.cl`): the reductions Σ dy and Σ dy·(x − mean), their
    /// merge into dβ and dγ, then dx. With `usesBatchStatistics` false (frozen statistics), dx is
    /// dy·γ·invStd.
    mutating func enqueueBackward(
        dy: OpenCLBuffer, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer, gamma: OpenCLBuffer?,
        dx: OpenCLBuffer, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let partial = try workspace.partials(count: 2 * plan.partialCount)
        let scratch = KernelArgument.local(bytes: 2 * plan.reduction.groupSize * MemoryLayout<Float>.stride)
        switch plan.traversal {
        case .planar:
            try run(.backwardReducePlanar, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(x), .buffer(mean), .buffer(partial),
                .size(geometry.outer), .size(geometry.features), .size(geometry.inner), .size(plan.chunkLength), scratch,
            ])
        case .interleaved:
            try run(.backwardReduceInterleaved, variant: plan.variant, range: plan.reduction, [
                .buffer(dy), .buffer(x), .buffer(mean), .buffer(partial),
                .size(geometry.outer), .size(geometry.features), .size(plan.chunkLength), scratch,
            ])
        }
        try run(.backwardMerge, variant: plan.variant, range: plan.perFeature, [
            .buffer(partial), .buffer(invStd), .buffer(dGamma), .buffer(dBeta), .size(plan.chunks), .size(geometry.features),
        ])
        let parameters: [KernelArgument] = [
            .buffer(dy), .buffer(x), .buffer(mean), .buffer(invStd), .buffer(gamma), .buffer(dGamma), .buffer(dBeta), .buffer(dx),
        ]
        let scale = KernelArgument.float(1 / Float(geometry.valuesPerFeature))
        switch plan.traversal {
        case .planar:
            try run(.backwardInputGradientPlanar, variant: plan.variant, range: plan.elementwise,
                    parameters + [.size(geometry.features), .size(geometry.inner), scale, .flag(usesBatchStatistics)])
        case .interleaved:
            try run(.backwardInputGradientInterleaved, variant: plan.variant, range: plan.elementwise,
                    parameters + [.size(geometry.outer), .size(geometry.features), scale, .flag(usesBatchStatistics)])
        }
    }
}
