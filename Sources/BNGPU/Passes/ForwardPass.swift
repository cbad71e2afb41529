extension KernelRunner {
    /// Enqueues y = γ·((x − mean) − meanLow)·invStd + β (`bn_forward.cl`); a nil γ, β or meanLow
    /// is read as 1, 0 and 0.
    mutating func enqueueNormalize(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLow: OpenCLBuffer?, invStd: OpenCLBuffer,
        gamma: OpenCLBuffer?, beta: OpenCLBuffer?, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let parameters: [KernelArgument] = [
            .buffer(x), .buffer(y), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(gamma), .buffer(beta),
        ]
        switch plan.traversal {
        case .planar:
            try run(.normalizePlanar, variant: plan.variant, range: plan.elementwise,
                    parameters + [.size(geometry.features), .size(geometry.inner)])
        case .interleaved:
            try run(.normalizeInterleaved, variant: plan.variant, range: plan.elementwise,
                    parameters + [.size(geometry.outer), .size(geometry.features)])
        }
    }
}
