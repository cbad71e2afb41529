import BNCore

/// Where a training pass's running statistics go, and how it blends them. A virtual batch's
/// target defers the blend: the kernel that finishes its statistics writes the group's variance to
/// `groupVariance` instead (and still reads the running statistics, for renormalization), and
/// `bn_running_update` blends the groups' average once they are all done.
struct RunningTarget {
    var mean: OpenCLBuffer
    var variance: OpenCLBuffer
    var update: RunningUpdate
    /// Receives a virtual batch's variance (squares over the update's divisor); nil blends at once.
    var groupVariance: OpenCLBuffer? = nil

    /// This target with the blend deferred, the group's variance going to `groupVariance`.
    func deferred(into groupVariance: OpenCLBuffer) -> RunningTarget {
        var copy = self
        copy.groupVariance = groupVariance
        return copy
    }
}

/// What a renormalizing training pass writes besides batch norm's outputs (`renorm_target`,
/// `bn_moments.cl`): the caller's r and d, and the normalization's constants in the workspace,
/// r·invStd as `scale + scaleLow` and γ·d + β as `shift`, which the normalization takes for invStd,
/// its low part and β.
struct RenormTarget {
    var r: OpenCLBuffer
    var d: OpenCLBuffer
    var scale: OpenCLBuffer
    var scaleLow: OpenCLBuffer
    var shift: OpenCLBuffer
    var limits: Renormalization
}

extension KernelRunner {
    /// The renorm outputs of a training pass with `limits`, into `corrections` and the workspace;
    /// nil when the pass does not renormalize.
    mutating func renormTarget(_ corrections: RenormCorrections<OpenCLBuffer>?, limits: Renormalization?,
                               features: Int) throws -> RenormTarget? {
        guard let corrections, let limits else { return nil }
        return RenormTarget(r: corrections.r, d: corrections.d,
                            scale: try workspace.perFeature(count: features, slot: .renormScale),
                            scaleLow: try workspace.perFeature(count: features, slot: .renormScaleLow),
                            shift: try workspace.perFeature(count: features, slot: .renormShift), limits: limits)
    }

    /// Enqueues the batch statistics (kernels of `bn_statistics.cl`): each chunk's moments, then
    /// their merge into the mean (as `mean + meanLow`) and the inverse standard deviation (as
    /// `invStd + invStdLow`), writing the renorm outputs from `gamma` and `beta` when `renorm` is
    /// given and then blending the running statistics when `running` is given. Chained on the
    /// in-order queue, with no host wait.
    mutating func enqueueStatistics(
        x: OpenCLBuffer, plan: LaunchPlan, epsilon: Float,
        mean: OpenCLBuffer, meanLow: OpenCLBuffer, invStd: OpenCLBuffer, invStdLow: OpenCLBuffer, running: RunningTarget?,
        renorm: RenormTarget? = nil, gamma: OpenCLBuffer? = nil, beta: OpenCLBuffer? = nil
    ) throws {
        let geometry = plan.geometry
        let partial = try enqueueChunkMoments(x: x, plan: plan)
        let weights = RunningTarget.weights(of: running)
        try run(.statsMerge(partial: partial, mean: mean, meanLo: meanLow, invstd: invStd, invstdLo: invStdLow,
                            runningMean: running?.mean, runningVariance: running?.variance,
                            gamma: gamma, beta: beta, renorm: renorm, batchVariance: running?.groupVariance,
                            chunks: plan.chunks, features: geometry.features,
                            values: geometry.valuesPerFeature, chunkValues: plan.chunkValues, epsilon: epsilon,
                            keep: weights.keep, take: weights.take, varianceDivisor: weights.varianceDivisor,
                            scratch: plan.mergeScratch),
                variant: plan.variant, range: plan.merge)
    }

    /// Enqueues each chunk's moments (center, residual, squares) into the workspace's partials,
    /// which it returns. A resident plan runs as a planar one of a single chunk.
    mutating func enqueueChunkMoments(x: OpenCLBuffer, plan: LaunchPlan) throws -> OpenCLBuffer {
        let geometry = plan.geometry
        let partial = try workspace.partials(count: 3 * plan.partialCount)
        switch plan.traversal {
        case .planar:
            try run(.statsChunkPlanar(x: x, partial: partial, outer: geometry.outer, features: geometry.features,
                                      inner: geometry.inner, chunkPlanes: plan.chunkLength,
                                      scratch: plan.reductionScratch(floatsPerWorkItem: 1)),
                    variant: plan.variant, range: plan.reduction)
        case .interleaved:
            try run(.statsChunkInterleaved(x: x, partial: partial, rows: geometry.outer, features: geometry.features,
                                           chunkRows: plan.chunkLength, chunks: plan.chunks,
                                           scratch: plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth)),
                    variant: plan.variant, range: plan.reduction)
        }
        return partial
    }

    /// Enqueues x's moments per feature (`bn_stats_moments`) into `total`: centers, then residuals,
    /// then squares, `features` floats each.
    mutating func enqueueMoments(x: OpenCLBuffer, plan: LaunchPlan, total: OpenCLBuffer) throws {
        let partial = try enqueueChunkMoments(x: x, plan: plan)
        try run(.statsMoments(partial: partial, total: total, chunks: plan.chunks, features: plan.geometry.features,
                              values: plan.geometry.valuesPerFeature, chunkValues: plan.chunkValues,
                              scratch: plan.mergeScratch),
                variant: plan.variant, range: plan.merge)
    }

    /// Enqueues running = keep·running + take·batch per feature (`bn_running_update`) from merged
    /// statistics: their means already in `mean` as floats, and M2 over the update's variance
    /// divisor, which it writes to the workspace first.
    mutating func enqueueRunningUpdate(_ running: RunningTarget, mean: OpenCLBuffer, with statistics: PartialStatistics,
                                       plan: LaunchPlan) throws {
        let features = statistics.features
        let variance = try workspace.perFeature(count: features, slot: .batchVariance)
        try write(statistics.m2.map { Float($0 / running.update.varianceDivisor) }, to: variance)
        let weights = RunningTarget.weights(of: running)
        try run(.runningUpdate(mean: mean, variance: variance, runningMean: running.mean,
                               runningVariance: running.variance, features: features, groups: 1, keep: weights.keep,
                               take: weights.take),
                variant: plan.variant, range: plan.perFeature)
    }

    /// Enqueues the running statistics' blend of virtual batches (`bn_running_update`): running =
    /// keep·running + take·(the groups' average), from the groups' means (`mean`, one per group and
    /// feature) and variances (`running.groupVariance`, which the groups' statistics wrote).
    mutating func enqueueGroupRunningUpdate(_ running: RunningTarget, mean: OpenCLBuffer, groups: Int,
                                            plan: LaunchPlan) throws {
        guard let variance = running.groupVariance else { return }
        let weights = RunningTarget.weights(of: running)
        try run(.runningUpdate(mean: mean, variance: variance, runningMean: running.mean,
                               runningVariance: running.variance, features: plan.geometry.features, groups: groups,
                               keep: weights.keep, take: weights.take),
                variant: plan.variant, range: plan.perFeature)
    }

    /// Enqueues `invStd + invStdLow = 1/√(variance + ε)` per feature into the workspace's slots,
    /// which it returns, for passes that use running statistics.
    mutating func enqueueInverseStd(
        variance: OpenCLBuffer, plan: LaunchPlan, epsilon: Float
    ) throws -> (invStd: OpenCLBuffer, invStdLow: OpenCLBuffer) {
        let features = plan.geometry.features
        let invStd = try workspace.perFeature(count: features, slot: .inverseStd)
        let invStdLow = try workspace.perFeature(count: features, slot: .inverseStdLow)
        try run(.inverseStd(variance: variance, invstd: invStd, invstdLo: invStdLow, features: features, epsilon: epsilon),
                variant: plan.variant, range: plan.perFeature)
        return (invStd, invStdLow)
    }

}

extension RunningTarget {
    /// The `keep`, `take` and `variance_divisor` of the kernels that finish statistics: the target's
    /// blend as floats, or 1, 0 and 1 when there is none to blend.
    static func weights(of target: RunningTarget?) -> (keep: Float, take: Float, varianceDivisor: Float) {
        (Float(target?.update.keep ?? 1), Float(target?.update.take ?? 0), Float(target?.update.varianceDivisor ?? 1))
    }
}

/// The calls of `bn_statistics.cl`'s kernels.
extension KernelCall {
    static func statsChunkPlanar(x: OpenCLBuffer, partial: OpenCLBuffer, outer: Int, features: Int, inner: Int,
                                 chunkPlanes: Int, scratch: KernelArgument) -> KernelCall {
        KernelCall(.statsChunkPlanar, [
            "x": .buffer(x), "partial": .buffer(partial), "outer": .size(outer), "features_arg": .size(features),
            "inner": .size(inner), "chunk_planes": .size(chunkPlanes), "scratch": scratch,
        ])
    }

    static func statsChunkInterleaved(x: OpenCLBuffer, partial: OpenCLBuffer, rows: Int, features: Int, chunkRows: Int,
                                      chunks: Int, scratch: KernelArgument) -> KernelCall {
        KernelCall(.statsChunkInterleaved, [
            "x": .buffer(x), "partial": .buffer(partial), "rows": .size(rows), "features_arg": .size(features),
            "chunk_rows": .size(chunkRows), "chunks": .size(chunks), "scratch": scratch,
        ])
    }

    static func statsMerge(
        partial: OpenCLBuffer, mean: OpenCLBuffer, meanLo: OpenCLBuffer, invstd: OpenCLBuffer, invstdLo: OpenCLBuffer,
        runningMean: OpenCLBuffer?, runningVariance: OpenCLBuffer?, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        renorm: RenormTarget?, batchVariance: OpenCLBuffer?, chunks: Int, features: Int, values: Int, chunkValues: Int,
        epsilon: Float, keep: Float, take: Float, varianceDivisor: Float, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.statsMerge, [
            "partial": .buffer(partial), "mean": .buffer(mean), "mean_lo": .buffer(meanLo), "invstd": .buffer(invstd),
            "invstd_lo": .buffer(invstdLo), "running_mean": .buffer(runningMean),
            "running_variance": .buffer(runningVariance), "gamma": .buffer(gamma), "beta": .buffer(beta),
            "renorm_r": .buffer(renorm?.r), "renorm_d": .buffer(renorm?.d), "renorm_scale": .buffer(renorm?.scale),
            "renorm_scale_lo": .buffer(renorm?.scaleLow), "renorm_shift": .buffer(renorm?.shift),
            "batch_variance": .buffer(batchVariance),
            "chunks": .size(chunks), "features_arg": .size(features), "values": .size(values),
            "chunk_values": .size(chunkValues), "epsilon": .float(epsilon), "keep": .float(keep), "take": .float(take),
            "variance_divisor": .float(varianceDivisor), "r_max": .float(renorm?.limits.rMax ?? 1),
            "d_max": .float(renorm?.limits.dMax ?? 0), "scratch": scratch,
        ])
    }

    static func statsMoments(partial: OpenCLBuffer, total: OpenCLBuffer, chunks: Int, features: Int, values: Int,
                             chunkValues: Int, scratch: KernelArgument) -> KernelCall {
        KernelCall(.statsMoments, [
            "partial": .buffer(partial), "total": .buffer(total), "chunks": .size(chunks),
            "features_arg": .size(features), "values": .size(values), "chunk_values": .size(chunkValues),
            "scratch": scratch,
        ])
    }

    static func runningUpdate(mean: OpenCLBuffer, variance: OpenCLBuffer, runningMean: OpenCLBuffer,
                              runningVariance: OpenCLBuffer, features: Int, groups: Int, keep: Float,
                              take: Float) -> KernelCall {
        KernelCall(.runningUpdate, [
            "mean": .buffer(mean), "variance": .buffer(variance), "running_mean": .buffer(runningMean),
            "running_variance": .buffer(runningVariance), "features_arg": .size(features), "groups": .size(groups),
            "keep": .float(keep), "take": .float(take),
        ])
    }

    static func inverseStd(variance: OpenCLBuffer, invstd: OpenCLBuffer, invstdLo: OpenCLBuffer, features: Int,
                           epsilon: Float) -> KernelCall {
        KernelCall(.inverseStd, [
            "variance": .buffer(variance), "invstd": .buffer(invstd), "invstd_lo": .buffer(invstdLo),
            "features": .size(features), "epsilon": .float(epsilon),
        ])
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
