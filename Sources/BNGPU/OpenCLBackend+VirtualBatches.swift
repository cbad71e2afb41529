import BNCore

/// Virtual batches (``BNCore/BatchNormOptions/virtualBatchSize``) on OpenCL: a group of V samples
/// is a contiguous run of every tensor (N is the outermost dimension of each layout) and of every
/// per-batch statistic (group by group), so a pass runs the whole batch's kernels on each group's
/// regions of the same buffers, under the plan of one group's shape, in one call and on the in-order
/// queue. The forward pass then blends the groups' averaged mean and variance into the running
/// statistics in one kernel, and the backward pass adds the groups' dγ and dβ in one.
extension OpenCLBackend {
    func virtualBatchesForward(
        x: OpenCLBuffer, z: OpenCLBuffer?, geometry: FeatureGeometry, gamma: OpenCLBuffer?, beta: OpenCLBuffer?,
        target: RunningTarget, options: BatchNormOptions, y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer,
        corrections: RenormCorrections<OpenCLBuffer>?
    ) throws -> PreparedPass {
        let groups = geometry.groups, regions = GroupRegions(geometry)
        return PreparedPass(geometry: try geometry.group(), storage: x.elementType) { runner, plan in
            let variance = try runner.workspace.perFeature(count: geometry.statisticsCount, slot: .batchVariance)
            for group in 0..<groups {
                let renorm = try runner.renormTarget(try regions.corrections(corrections, group),
                                                     limits: options.renormalization,
                                                     features: geometry.features)
                try runner.enqueueForwardTraining(
                    x: try regions.tensor(x, group), z: try z.map { try regions.tensor($0, group) },
                    y: try regions.tensor(y, group), gamma: gamma, beta: beta, mean: try regions.statistic(mean, group),
                    invStd: try regions.statistic(invStd, group),
                    running: target.deferred(into: try regions.statistic(variance, group)), renorm: renorm,
                    epsilon: options.epsilon, fusion: options.fusion, plan: plan)
            }
            try runner.enqueueGroupRunningUpdate(target.deferred(into: variance), mean: mean, groups: groups, plan: plan)
        }
    }

    func virtualBatchesBackward(
        dy: OpenCLBuffer, y: OpenCLBuffer?, x: OpenCLBuffer, geometry: FeatureGeometry, gamma: OpenCLBuffer?,
        statistics: BackwardStatistics<OpenCLBuffer>, dx: OpenCLBuffer, dz: OpenCLBuffer?, dGamma: OpenCLBuffer,
        dBeta: OpenCLBuffer
    ) throws -> PreparedPass {
        let groups = geometry.groups, features = geometry.features, regions = GroupRegions(geometry)
        let (mean, invStd) = statistics.centerAndSpread
        return PreparedPass(geometry: try geometry.group(), storage: x.elementType) { runner, plan in
            let groupDGamma = try runner.workspace.perFeature(count: geometry.statisticsCount, slot: .groupDGamma)
            let groupDBeta = try runner.workspace.perFeature(count: geometry.statisticsCount, slot: .groupDBeta)
            for group in 0..<groups {
                try runner.enqueueBackward(
                    dy: try regions.tensor(dy, group), y: try y.map { try regions.tensor($0, group) },
                    x: try regions.tensor(x, group), mean: try regions.statistic(mean, group),
                    invStd: try regions.statistic(invStd, group), gamma: gamma, dx: try regions.tensor(dx, group),
                    dz: try dz.map { try regions.tensor($0, group) }, dGamma: try regions.statistic(groupDGamma, group),
                    dBeta: try regions.statistic(groupDBeta, group), usesBatchStatistics: true,
                    corrections: try regions.corrections(statistics.corrections, group), plan: plan)
            }
            try runner.run(.groupGradients(groupDGamma: groupDGamma, groupDBeta: groupDBeta, dgamma: dGamma,
                                           dbeta: dBeta, features: features, groups: groups),
                           variant: plan.variant, range: plan.perFeature)
        }
    }
}

/// Where virtual batch g lies in a tensor and in a per-batch statistic.
private struct GroupRegions {
    let elements: Int
    let features: Int

    init(_ geometry: FeatureGeometry) {
        elements = geometry.groupElements
        features = geometry.features
    }

    /// Group g's elements of a tensor.
    func tensor(_ buffer: OpenCLBuffer, _ group: Int) throws -> OpenCLBuffer {
        try buffer.region(from: group * elements, count: elements)
    }

    /// Group g's values of a per-batch statistic (or of a workspace array laid out so).
    func statistic(_ buffer: OpenCLBuffer, _ group: Int) throws -> OpenCLBuffer {
        try buffer.region(from: group * features, count: features)
    }

    /// Group g's r and d, when there are corrections.
    func corrections(_ corrections: RenormCorrections<OpenCLBuffer>?, _ group: Int) throws -> RenormCorrections<OpenCLBuffer>? {
        try corrections.map { RenormCorrections(r: try statistic($0.r, group), d: try statistic($0.d, group)) }
    }
}

/// The call of `bn_backward.cl`'s group kernel.
extension KernelCall {
    static func groupGradients(groupDGamma: OpenCLBuffer, groupDBeta: OpenCLBuffer, dgamma: OpenCLBuffer,
                               dbeta: OpenCLBuffer, features: Int, groups: Int) -> KernelCall {
        KernelCall(.groupGradients, [
            "group_dgamma": .buffer(groupDGamma), "group_dbeta": .buffer(groupDBeta), "dgamma": .buffer(dgamma),
            "dbeta": .buffer(dbeta), "features_arg": .size(features), "groups": .size(groups),
        ])
    }
}
