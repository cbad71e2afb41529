import BNCore

/// Where a training pass's running statistics go, and how it blends them.
struct RunningTarget {
    var mean: OpenCLBuffer
    var variance: OpenCLBuffer
    var update: RunningUpdate
}

extension KernelRunner {
    /// Enqueues the batch statistics (kernels of `bn_statistics.cl`): each chunk's moments, then
    /// their merge into the mean (as `mean + meanLow`) and the inverse standard deviation (as
    /// `invStd + invStdLow`), blending the running statistics when `running` is given. Chained on the
    /// in-order queue, with no host wait.
    mutating func enqueueStatistics(
        x: OpenCLBuffer, plan: LaunchPlan, epsilon: Float,
        mean: OpenCLBuffer, meanLow: OpenCLBuffer, invStd: OpenCLBuffer, invStdLow: OpenCLBuffer, running: RunningTarget?
    ) throws {
        let geometry = plan.geometry
        let partial = try enqueueChunkMoments(x: x, plan: plan)
        try run(.statsMerge, variant: plan.variant, range: plan.merge, [
            .buffer(partial), .buffer(mean), .buffer(meanLow), .buffer(invStd), .buffer(invStdLow), .buffer(running?.mean),
            .buffer(running?.variance),
            .size(plan.chunks), .size(geometry.features), .size(geometry.valuesPerFeature), .size(plan.chunkValues),
        ] + Self.statisticsScalars(epsilon: epsilon, running: running) + [plan.mergeScratch])
    }

    /// Enqueues each chunk's moments (center, residual, squares) into the workspace's partials,
    /// which it returns. A resident plan runs as a planar one of a single chunk.
    mutating func enqueueChunkMoments(x: OpenCLBuffer, plan: LaunchPlan) throws -> OpenCLBuffer {
        let geometry = plan.geometry
        let partial = try workspace.partials(count: 3 * plan.partialCount)
        switch plan.traversal {
        case .planar:
            try run(.statsChunkPlanar, variant: plan.variant, range: plan.reduction, [
                .buffer(x), .buffer(partial), .size(geometry.outer), .size(geometry.features), .size(geometry.inner),
                .size(plan.chunkLength), plan.reductionScratch(floatsPerWorkItem: 1),
            ])
        case .interleaved:
            try run(.statsChunkInterleaved, variant: plan.variant, range: plan.reduction, [
                .buffer(x), .buffer(partial), .size(geometry.outer), .size(geometry.features), .size(plan.chunkLength),
                .size(plan.chunks), plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth),
            ])
        }
        return partial
    }

    /// Enqueues x's moments per feature (`bn_stats_moments`) into `total`: centers, then residuals,
    /// then squares, `features` floats each.
    mutating func enqueueMoments(x: OpenCLBuffer, plan: LaunchPlan, total: OpenCLBuffer) throws {
        let partial = try enqueueChunkMoments(x: x, plan: plan)
        try run(.statsMoments, variant: plan.variant, range: plan.merge, [
            .buffer(partial), .buffer(total), .size(plan.chunks), .size(plan.geometry.features),
            .size(plan.geometry.valuesPerFeature), .size(plan.chunkValues), plan.mergeScratch,
        ])
    }

    /// Enqueues `invStd + invStdLow = 1/√(variance + ε)` per feature into the workspace's slots,
    /// which it returns, for passes that use running statistics.
    mutating func enqueueInverseStd(
        variance: OpenCLBuffer, plan: LaunchPlan, epsilon: Float
    ) throws -> (invStd: OpenCLBuffer, invStdLow: OpenCLBuffer) {
        let features = plan.geometry.features
        let invStd = try workspace.perFeature(count: features, slot: .inverseStd)
        let invStdLow = try workspace.perFeature(count: features, slot: .inverseStdLow)
        try run(.inverseStd, variant: plan.variant, range: plan.perFeature, [
            .buffer(variance), .buffer(invStd), .buffer(invStdLow), .size(features), .float(epsilon),
        ])
        return (invStd, invStdLow)
    }

    /// The trailing `epsilon, keep, take, variance_divisor` of the kernels that finish statistics.
    static func statisticsScalars(epsilon: Float, running: RunningTarget?) -> [KernelArgument] {
        [.float(epsilon), .float(Float(running?.update.keep ?? 1)), .float(Float(running?.update.take ?? 0)),
         .float(Float(running?.update.varianceDivisor ?? 1))]
    }
}

extension LaunchPlan {
    /// The local scratch of a reduction or resident kernel: `floatsPerWorkItem` per work-item (one
    /// for planar kernels, a vector's for interleaved ones).
    func reductionScratch(floatsPerWorkItem: Int) -> KernelArgument {
        .local(bytes: floatsPerWorkItem * reduction.groupSize * MemoryLayout<Float>.stride)
    }

    /// The local scratch of a merge kernel: a float per work-item.
    var mergeScratch: KernelArgument { .local(bytes: merge.groupSize * MemoryLayout<Float>.stride) }
}
