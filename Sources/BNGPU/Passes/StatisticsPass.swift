import BNCore

/// Where a training pass's running statistics go, and how it blends them.
struct RunningTarget {
    var mean: OpenCLBuffer
    var variance: OpenCLBuffer
    var update: RunningUpdate
}

extension KernelRunner {
    /// Enqueues the batch statistics (kernels of `bn_statistics.cl`): pass 1 gives the mean as
    /// `mean + meanLow`, pass 2 the inverse standard deviation, and the running statistics are
    /// blended when `running` is given. Chained on the in-order queue, with no host wait.
    mutating func enqueueStatistics(
        x: OpenCLBuffer, plan: LaunchPlan, epsilon: Float,
        mean: OpenCLBuffer, meanLow: OpenCLBuffer, invStd: OpenCLBuffer, running: RunningTarget?
    ) throws {
        let geometry = plan.geometry
        let partial = try workspace.partials(count: plan.partialCount)
        try enqueuePartialSums(x: x, center: nil, centerLow: nil, partial: partial, plan: plan)
        try run(.statsMean, variant: plan.variant, range: plan.perFeature, [
            .buffer(x), .buffer(partial), .buffer(mean), .buffer(meanLow),
            .size(plan.chunks), .size(geometry.features), .size(geometry.inner), .float(Float(geometry.valuesPerFeature)),
        ])
        try enqueuePartialSums(x: x, center: mean, centerLow: meanLow, partial: partial, plan: plan)
        try run(.statsVariance, variant: plan.variant, range: plan.perFeature, [
            .buffer(partial), .buffer(mean), .buffer(meanLow), .buffer(invStd),
            .buffer(running?.mean), .buffer(running?.variance),
            .size(plan.chunks), .size(geometry.features), .float(Float(geometry.valuesPerFeature)), .float(epsilon),
            .float(Float(running?.update.keep ?? 1)), .float(Float(running?.update.take ?? 0)),
            .float(Float(running?.update.varianceDivisor ?? 1)),
        ])
    }

    /// Enqueues `invStd = 1/√(variance + ε)` per feature, for passes that use running statistics.
    mutating func enqueueInverseStd(variance: OpenCLBuffer, invStd: OpenCLBuffer, plan: LaunchPlan, epsilon: Float) throws {
        try run(.inverseStd, variant: plan.variant, range: plan.perFeature, [
            .buffer(variance), .buffer(invStd), .size(plan.geometry.features), .float(epsilon),
        ])
    }

    /// One statistics pass's partial sums: of x − (first value) without a center, of the squared
    /// deviation from `center + centerLow` with one.
    private mutating func enqueuePartialSums(
        x: OpenCLBuffer, center: OpenCLBuffer?, centerLow: OpenCLBuffer?, partial: OpenCLBuffer, plan: LaunchPlan
    ) throws {
        try runReduction(planar: .statsPartialPlanar, interleaved: .statsPartialInterleaved, plan: plan, scratchPerWorkItem: 1,
                         [.buffer(x), .buffer(center), .buffer(centerLow), .buffer(partial)])
    }
}
