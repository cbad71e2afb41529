import BNCore

/// The split phases of synchronized batch norm (see `SynchronizedBatchNorm`): the device
/// reduces its part of the batch and the host finishes in `Double`; the merged statistics and sums
/// come back as float pairs (value and what rounding it lost), so the normalization and dx are as
/// exact as on one device. The running statistics are blended on the device, as the single-device
/// pass blends them, so that they never leave it.
extension OpenCLBackend: SplitPhaseBackend {
    public func localStatistics(x: OpenCLBuffer, shape: TensorShape, options: BatchNormOptions) throws -> PartialStatistics {
        let geometry = try checked(Operands.localStatistics(x: x), shape: shape, options: options)
        let totals = try readFeatureTotals(geometry, storage: x.elementType) { runner, plan, totals in
            try runner.enqueueMoments(x: x, plan: plan, total: totals)
        }
        let features = geometry.features, count = Double(geometry.valuesPerFeature)
        var statistics = PartialStatistics.empty(features: features)
        statistics.count = geometry.valuesPerFeature
        for feature in 0..<features {
            let center = Double(totals[feature]), residual = Double(totals[features + feature])
            let squares = Double(totals[2 * features + feature])
            statistics.mean[feature] = center + residual / count
            // Σ (x − center)² − (Σ (x − center))²/m about the mean, never below zero; a NaN stays NaN
            let m2 = squares - residual * residual / count
            statistics.m2[feature] = m2 < 0 ? 0 : m2
        }
        return statistics
    }

    public func forwardTraining(
        x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?, beta: OpenCLBuffer?, statistics: PartialStatistics,
        running: inout RunningStatisticsBuffers<OpenCLBuffer>, options: BatchNormOptions,
        y: OpenCLBuffer, mean: OpenCLBuffer, invStd: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.synchronizedForward(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd), shape: shape, options: options)
        try statistics.checkMerged(for: geometry)
        let normalization = statistics.normalization(epsilon: options.epsilon)
        let meanPair = FloatPair(normalization.mean), invStdPair = FloatPair(normalization.invStd)
        try enqueue(geometry, storage: x.elementType) { runner, plan in
            let meanLow = try runner.workspace.perFeature(count: geometry.features, slot: .meanLow)
            let invStdLow = try runner.workspace.perFeature(count: geometry.features, slot: .inverseStdLow)
            try runner.write(meanPair.high, to: mean)
            try runner.write(meanPair.low, to: meanLow)
            try runner.write(invStdPair.high, to: invStd)
            try runner.write(invStdPair.low, to: invStdLow)
            // before y's kernel, so that the blend's write of its variances waits for nothing; the
            // means are the ones written to `mean` above
            try runner.enqueueRunningUpdate(runningTarget(running, statistics, options), mean: mean, with: statistics,
                                            plan: plan)
            try runner.enqueueNormalize(x: x, y: y, mean: mean, meanLow: meanLow, invStd: invStd, invStdLow: invStdLow,
                                        gamma: gamma, beta: beta, plan: plan)
        }
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    public func updateRunning(
        _ running: inout RunningStatisticsBuffers<OpenCLBuffer>, with statistics: PartialStatistics,
        options: BatchNormOptions
    ) throws {
        try statistics.checkBlend(into: running, options: options)
        try checkOwnership([("running.mean", running.mean), ("running.variance", running.variance)])
        // the plan of a batch of this many features, for the per-feature kernel's range and variant
        let geometry = try FeatureGeometry(shape: TensorShape(n: 1, c: statistics.features), mode: .spatial)
        try enqueue(geometry, storage: .float32) { runner, plan in
            let mean = try runner.workspace.perFeature(count: statistics.features, slot: .batchMean)
            try runner.write(statistics.mean.map(Float.init), to: mean)
            try runner.enqueueRunningUpdate(runningTarget(running, statistics, options), mean: mean, with: statistics,
                                            plan: plan)
        }
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    /// The running statistics with the blend of one more batch of `statistics`' count.
    private func runningTarget(_ running: RunningStatisticsBuffers<OpenCLBuffer>, _ statistics: PartialStatistics,
                               _ options: BatchNormOptions) -> RunningTarget {
        RunningTarget(mean: running.mean, variance: running.variance,
                      update: RunningUpdate(options: options, batchesTracked: running.batchesTracked,
                                            valuesPerFeature: statistics.count))
    }

    public func gradientSums(
        dy: OpenCLBuffer, x: OpenCLBuffer, shape: TensorShape, mean: OpenCLBuffer, options: BatchNormOptions
    ) throws -> GradientSums {
        let geometry = try checked(Operands.gradientSums(dy: dy, x: x, mean: mean), shape: shape, options: options)
        let totals = try readFeatureTotals(geometry, storage: x.elementType) { runner, plan, totals in
            try runner.enqueueGradientSums(dy: dy, x: x, mean: mean, plan: plan, sums: totals)
        }
        let features = geometry.features
        let sums = totals.map(Double.init)
        return GradientSums(count: geometry.valuesPerFeature, sumDy: Array(sums[0..<features]),
                            sumDyCentered: Array(sums[features..<(2 * features)]),
                            sumCentered: Array(sums[(2 * features)...]))
    }

    public func backward(
        dy: OpenCLBuffer, x: OpenCLBuffer, shape: TensorShape, gamma: OpenCLBuffer?, mean: OpenCLBuffer,
        invStd: OpenCLBuffer, sums: GradientSums, options: BatchNormOptions, dx: OpenCLBuffer, dGamma: OpenCLBuffer,
        dBeta: OpenCLBuffer
    ) throws {
        let geometry = try checked(Operands.backward(
            dy: dy, x: x, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd), dx: dx, dGamma: dGamma,
            dBeta: dBeta).splitPhase(),
            shape: shape, options: options)
        try sums.checkSummed(for: geometry)
        let gradients = sums.parameterGradients(invStd: try download(invStd))
        try enqueue(geometry, storage: x.elementType) { runner, plan in
            let residual = try runner.workspace.perFeature(count: geometry.features, slot: .meanLow)
            try runner.write(gradients.residual.map(Float.init), to: residual)
            try runner.write(gradients.dGamma.map(Float.init), to: dGamma)
            try runner.write(gradients.dBeta.map(Float.init), to: dBeta)
            try runner.enqueueInputGradient(dy: dy, y: nil, x: x, mean: mean, residual: residual, invStd: invStd,
                                            gamma: gamma, dGamma: dGamma, dBeta: dBeta, dx: dx, dz: nil,
                                            reductionScale: 1 / Float(sums.count),
                                            usesBatchStatistics: true, plan: plan)
        }
    }

    /// Runs `body` to fill three floats per feature of workspace and reads them back, under the lock
    /// so that no other call reuses the workspace in between.
    private func readFeatureTotals(
        _ geometry: FeatureGeometry, storage: ElementType,
        _ body: (inout KernelRunner, LaunchPlan, OpenCLBuffer) throws -> Void
    ) throws -> [Float] {
        var totals: [Float] = []
        try enqueue(geometry, storage: storage) { runner, plan in
            let buffer = try runner.workspace.perFeature(count: 3 * geometry.features, slot: .featureTotals)
            try body(&runner, plan, buffer)
            totals = try runner.read(buffer)
        }
        return Array(totals.prefix(3 * geometry.features))
    }
}

/// Doubles as float pairs: `high` is each value's float rounding and `low` what that rounding lost.
private struct FloatPair {
    let high: [Float]
    let low: [Float]

    init(_ values: [Double]) {
        high = values.map(Float.init)
        low = zip(values, high).map { Float($0 - Double($1)) }
    }
}
