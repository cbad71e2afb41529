extension KernelRunner {
    /// Enqueues y = γ·((x − mean) − meanLow)·invStd + β (`bn_forward.cl`); a nil γ, β or meanLow
    /// is read as 1, 0 and 0.
    mutating func enqueueNormalize(
        x: OpenCLBuffer, y: OpenCLBuffer, mean: OpenCLBuffer, meanLow: OpenCLBuffer?, invStd: OpenCLBuffer,
        gamma: OpenCLBuffer?, beta: OpenCLBuffer?, plan: LaunchPlan
    ) throws {
        try runElementwise(planar: .normalizePlanar, interleaved: .normalizeInterleaved, plan: plan, [
            .buffer(x), .buffer(y), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(gamma), .buffer(beta),
        ])
    }
}
