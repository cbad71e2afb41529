import BNCore

extension KernelRunner {
    /// Enqueues the backward pass (`bn_backward.cl`): the reductions Σ dy, Σ dy·(x − mean) and
    /// Σ (x − mean), their merge into dβ, dγ and the mean's residual (what rounding the batch mean to
    /// a float lost), then dx; a resident plan with batch statistics does all of it in one kernel. With `usesBatchStatistics` false (frozen statistics), the mean is taken as exact and
    /// dx is dy·γ·invStd. With `y`, the fused forward output, every kernel masks dy by its sign, and
    /// `dz` (when given) receives the masked dy. With `corrections` (a renormalized pass's r and d,
    /// constants of the gradient), the kernels run with γ·r for γ (`bn_renorm_gain`) and dγ becomes
    /// r·dγ + d·dβ after them (`bn_renorm_gradient`).
    mutating func enqueueBackward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer,
        gamma: OpenCLBuffer?, dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        usesBatchStatistics: Bool, corrections: RenormCorrections<OpenCLBuffer>? = nil, plan: LaunchPlan
    ) throws {
        guard let corrections else {
            try enqueueBatchNormBackward(dy: dy, y: y, x: x, mean: mean, invStd: invStd, gamma: gamma, dx: dx, dz: dz,
                                         dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: usesBatchStatistics,
                                         plan: plan)
            return
        }
        let features = plan.geometry.features
        let gain = try workspace.perFeature(count: features, slot: .renormGain)
        try run(.renormGain(gamma: gamma, r: corrections.r, gain: gain, features: features),
                variant: plan.variant, range: plan.perFeature)
        try enqueueBatchNormBackward(dy: dy, y: y, x: x, mean: mean, invStd: invStd, gamma: gain, dx: dx, dz: dz,
                                     dGamma: dGamma, dBeta: dBeta, usesBatchStatistics: usesBatchStatistics, plan: plan)
        try run(.renormGradient(r: corrections.r, d: corrections.d, dgamma: dGamma, dbeta: dBeta, features: features),
                variant: plan.variant, range: plan.perFeature)
    }

    /// ``enqueueBackward(dy:y:x:mean:invStd:gamma:dx:dz:dGamma:dBeta:usesBatchStatistics:corrections:plan:)``
    /// of batch norm: the reductions, their merge and dx.
    private mutating func enqueueBatchNormBackward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer,
        gamma: OpenCLBuffer?, dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer,
        usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let scale = 1 / Float(geometry.valuesPerFeature)
        if plan.isResident && usesBatchStatistics {
            let call: KernelCall = switch plan.traversal {
            case .planar:
                .backwardResident(dy: dy, y: y, x: x, mean: mean, invstd: invStd, gamma: gamma, dgamma: dGamma,
                                  dbeta: dBeta, dx: dx, dz: dz, outer: geometry.outer, features: geometry.features,
                                  inner: geometry.inner, reductionScale: scale,
                                  scratch: plan.reductionScratch(floatsPerWorkItem: 1))
            case .interleaved:
                .backwardResidentInterleaved(dy: dy, y: y, x: x, mean: mean, invstd: invStd, gamma: gamma,
                                             dgamma: dGamma, dbeta: dBeta, dx: dx, dz: dz, rows: geometry.outer,
                                             features: geometry.features, reductionScale: scale,
                                             scratch: plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth))
            }
            try run(call, variant: plan.variant, range: plan.reduction)
            return
        }
        let partial = try enqueueGradientPartials(dy: dy, y: y, x: x, mean: mean, plan: plan)
        let residual = try workspace.perFeature(count: geometry.features, slot: .meanLow)
        try run(.backwardMerge(partial: partial, invstd: invStd, dgamma: dGamma, dbeta: dBeta, residual: residual,
                               chunks: plan.chunks, features: geometry.features, reductionScale: scale,
                               usesBatchStatistics: usesBatchStatistics, scratch: plan.mergeScratch),
                variant: plan.variant, range: plan.merge)
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
            try run(.backwardReducePlanar(dy: dy, y: y, x: x, mean: mean, partial: partial, outer: geometry.outer,
                                          features: geometry.features, inner: geometry.inner,
                                          chunkPlanes: plan.chunkLength,
                                          scratch: plan.reductionScratch(floatsPerWorkItem: 1)),
                    variant: plan.variant, range: plan.reduction)
        case .interleaved:
            try run(.backwardReduceInterleaved(dy: dy, y: y, x: x, mean: mean, partial: partial, rows: geometry.outer,
                                               features: geometry.features, chunkRows: plan.chunkLength,
                                               chunks: plan.chunks,
                                               scratch: plan.reductionScratch(floatsPerWorkItem: plan.variant.vectorWidth)),
                    variant: plan.variant, range: plan.reduction)
        }
        return partial
    }

    /// Enqueues the three backward sums per feature (`bn_backward_sums`) into `sums`: Σ dy, then
    /// Σ dy·(x − mean), then Σ (x − mean), `features` floats each.
    mutating func enqueueGradientSums(dy: OpenCLBuffer, x: OpenCLBuffer, mean: OpenCLBuffer, plan: LaunchPlan,
                                      sums: OpenCLBuffer) throws {
        let partial = try enqueueGradientPartials(dy: dy, y: nil, x: x, mean: mean, plan: plan)
        try run(.backwardSums(partial: partial, sums: sums, chunks: plan.chunks, features: plan.geometry.features,
                              scratch: plan.mergeScratch),
                variant: plan.variant, range: plan.merge)
    }

    /// Enqueues dx from per-feature dγ, dβ and the mean's residual already in buffers
    /// (`bn_backward_dx_*`); `reductionScale` is 1/m of the batch they were summed over, which a
    /// synchronized pass takes from the whole batch rather than this device's part.
    mutating func enqueueInputGradient(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, residual: OpenCLBuffer,
        invStd: OpenCLBuffer, gamma: OpenCLBuffer?, dGamma: OpenCLBuffer, dBeta: OpenCLBuffer, dx: OpenCLBuffer,
        dz: OpenCLBuffer?, reductionScale: Float, usesBatchStatistics: Bool, plan: LaunchPlan
    ) throws {
        let geometry = plan.geometry
        let call: KernelCall = switch plan.traversal {
        case .planar:
            .backwardDxPlanar(dy: dy, y: y, x: x, mean: mean, residual: residual, invstd: invStd, gamma: gamma,
                              dgamma: dGamma, dbeta: dBeta, dx: dx, dz: dz, outer: geometry.outer,
                              features: geometry.features, inner: geometry.inner, planesPerItem: plan.blockLength,
                              reductionScale: reductionScale, usesBatchStatistics: usesBatchStatistics)
        case .interleaved:
            .backwardDxInterleaved(dy: dy, y: y, x: x, mean: mean, residual: residual, invstd: invStd, gamma: gamma,
                                   dgamma: dGamma, dbeta: dBeta, dx: dx, dz: dz, rows: geometry.outer,
                                   features: geometry.features, rowsPerItem: plan.blockLength,
                                   reductionScale: reductionScale, usesBatchStatistics: usesBatchStatistics)
        }
        try run(call, variant: plan.variant, range: plan.elementwise)
    }
}

/// The calls of `bn_backward.cl`'s kernels.
extension KernelCall {
    static func backwardReducePlanar(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, partial: OpenCLBuffer, outer: Int,
        features: Int, inner: Int, chunkPlanes: Int, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.backwardReducePlanar, operands: OperandCase(fused: y != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "partial": .buffer(partial),
            "outer": .size(outer), "features_arg": .size(features), "inner": .size(inner),
            "chunk_planes": .size(chunkPlanes), "scratch": scratch,
        ])
    }

    static func backwardReduceInterleaved(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, partial: OpenCLBuffer, rows: Int,
        features: Int, chunkRows: Int, chunks: Int, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.backwardReduceInterleaved, operands: OperandCase(fused: y != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "partial": .buffer(partial),
            "rows": .size(rows), "features_arg": .size(features), "chunk_rows": .size(chunkRows),
            "chunks": .size(chunks), "scratch": scratch,
        ])
    }

    static func backwardMerge(
        partial: OpenCLBuffer, invstd: OpenCLBuffer, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer, residual: OpenCLBuffer,
        chunks: Int, features: Int, reductionScale: Float, usesBatchStatistics: Bool, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.backwardMerge, [
            "partial": .buffer(partial), "invstd": .buffer(invstd), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta),
            "residual": .buffer(residual), "chunks": .size(chunks), "features_arg": .size(features),
            "reduction_scale": .float(reductionScale), "uses_batch_statistics": .flag(usesBatchStatistics),
            "scratch": scratch,
        ])
    }

    static func backwardSums(partial: OpenCLBuffer, sums: OpenCLBuffer, chunks: Int, features: Int,
                             scratch: KernelArgument) -> KernelCall {
        KernelCall(.backwardSums, [
            "partial": .buffer(partial), "sums": .buffer(sums), "chunks": .size(chunks), "features_arg": .size(features),
            "scratch": scratch,
        ])
    }

    static func backwardDxPlanar(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, residual: OpenCLBuffer,
        invstd: OpenCLBuffer, gamma: OpenCLBuffer?, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer, dx: OpenCLBuffer,
        dz: OpenCLBuffer?, outer: Int, features: Int, inner: Int, planesPerItem: Int, reductionScale: Float,
        usesBatchStatistics: Bool
    ) -> KernelCall {
        KernelCall(.backwardDxPlanar, operands: OperandCase(fused: y != nil || dz != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "residual": .buffer(residual),
            "invstd": .buffer(invstd), "gamma": .buffer(gamma), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta),
            "dx": .buffer(dx), "dz": .buffer(dz), "outer": .size(outer), "features_arg": .size(features),
            "inner_arg": .size(inner), "planes_per_item": .size(planesPerItem),
            "reduction_scale": .float(reductionScale), "uses_batch_statistics": .flag(usesBatchStatistics),
        ])
    }

    static func backwardDxInterleaved(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, residual: OpenCLBuffer,
        invstd: OpenCLBuffer, gamma: OpenCLBuffer?, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer, dx: OpenCLBuffer,
        dz: OpenCLBuffer?, rows: Int, features: Int, rowsPerItem: Int, reductionScale: Float, usesBatchStatistics: Bool
    ) -> KernelCall {
        KernelCall(.backwardDxInterleaved, operands: OperandCase(fused: y != nil || dz != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "residual": .buffer(residual),
            "invstd": .buffer(invstd), "gamma": .buffer(gamma), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta),
            "dx": .buffer(dx), "dz": .buffer(dz), "rows": .size(rows), "features_arg": .size(features),
            "rows_per_item": .size(rowsPerItem), "reduction_scale": .float(reductionScale),
            "uses_batch_statistics": .flag(usesBatchStatistics),
        ])
    }

    static func backwardResident(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, invstd: OpenCLBuffer,
        gamma: OpenCLBuffer?, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer, dx: OpenCLBuffer, dz: OpenCLBuffer?, outer: Int,
        features: Int, inner: Int, reductionScale: Float, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.backwardResident, operands: OperandCase(fused: y != nil || dz != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "invstd": .buffer(invstd),
            "gamma": .buffer(gamma), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta), "dx": .buffer(dx),
            "dz": .buffer(dz), "outer_arg": .size(outer), "features_arg": .size(features), "inner_arg": .size(inner),
            "reduction_scale": .float(reductionScale), "scratch": scratch,
        ])
    }

    static func backwardResidentInterleaved(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, mean: OpenCLBuffer, invstd: OpenCLBuffer,
        gamma: OpenCLBuffer?, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer, dx: OpenCLBuffer, dz: OpenCLBuffer?, rows: Int,
        features: Int, reductionScale: Float, scratch: KernelArgument
    ) -> KernelCall {
        KernelCall(.backwardResidentInterleaved, operands: OperandCase(fused: y != nil || dz != nil), [
            "dy": .buffer(dy), "y": .buffer(y), "x": .buffer(x), "mean": .buffer(mean), "invstd": .buffer(invstd),
            "gamma": .buffer(gamma), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta), "dx": .buffer(dx),
            "dz": .buffer(dz), "rows_arg": .size(rows), "features_arg": .size(features),
            "reduction_scale": .float(reductionScale), "scratch": scratch,
        ])
    }

    static func renormGain(gamma: OpenCLBuffer?, r: OpenCLBuffer, gain: OpenCLBuffer, features: Int) -> KernelCall {
        KernelCall(.renormGain, [
            "gamma": .buffer(gamma), "r": .buffer(r), "gain": .buffer(gain), "features": .size(features),
        ])
    }

    static func renormGradient(r: OpenCLBuffer, d: OpenCLBuffer, dgamma: OpenCLBuffer, dbeta: OpenCLBuffer,
                               features: Int) -> KernelCall {
        KernelCall(.renormGradient, [
            "r": .buffer(r), "d": .buffer(d), "dgamma": .buffer(dgamma), "dbeta": .buffer(dbeta),
            "features": .size(features),
        ])
    }
}
