import BNCore

extension CPUBackend {
    public func forwardTraining(
        x: HostBuffer, z: HostBuffer?, shape: TensorShape, gamma: HostBuffer?, beta: HostBuffer?,
        running: inout RunningStatisticsBuffers<HostBuffer>, options: BatchNormOptions,
        y: HostBuffer, mean: HostBuffer, invStd: HostBuffer, corrections: RenormCorrections<HostBuffer>?
    ) throws {
        let geometry = try Operands.forwardTraining(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd).addingInput(z: z)
            .renormalizing(corrections, checksOutputs: true, batchesTracked: running.batchesTracked)
            .checked(shape: shape, options: options)
        let statistics = BatchStatistics(x: x.values, geometry: geometry)
        let inverseStd = statistics.sumOfSquares.map { 1 / (($0 / Double(geometry.valuesPerFeature)) + Double(options.epsilon)).squareRoot() }
        let renorm = options.renormalization.map {
            Renormalized(limits: $0, mean: statistics.mean, invStd: inverseStd,
                         runningMean: running.mean.values, runningInverseStd: self.inverseStd(of: running.variance.values, epsilon: options.epsilon))
        }

        y.values = normalized(x.values, geometry: geometry, mean: statistics.mean, invStd: inverseStd,
                              gamma: gamma?.values, beta: beta?.values, z: z?.values, fusion: options.fusion,
                              corrections: renorm)
        mean.values = statistics.mean.map(Float.init)
        invStd.values = inverseStd.map(Float.init)
        if let renorm, let corrections {
            corrections.r.values = renorm.r.map(Float.init)
            corrections.d.values = renorm.d.map(Float.init)
        }

        let averaged = statistics.averagedOverGroups(geometry)
        blend(&running, mean: averaged.mean, squares: averaged.sumOfSquares, count: geometry.valuesPerFeature,
              options: options)
    }

    /// running = keep·running + take·batch per feature, in `Double`, rounded once, and one more
    /// batch counted: the blend of the training pass and of the split phases.
    /// - Parameters:
    ///   - running: The running statistics.
    ///   - mean: The batch's means.
    ///   - squares: The batch's Σ(x − μ)² per feature.
    ///   - count: The batch's values per feature.
    ///   - options: The momentum, its convention and which variance is stored.
    func blend(_ running: inout RunningStatisticsBuffers<HostBuffer>, mean: [Double], squares: [Double], count: Int,
               options: BatchNormOptions) {
        let update = RunningUpdate(options: options, batchesTracked: running.batchesTracked, valuesPerFeature: count)
        running.mean.values = update.mean(blending: running.mean.values, with: mean)
        running.variance.values = update.variance(blending: running.variance.values, withSquares: squares)
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }

    public func forwardInference(
        x: HostBuffer, z: HostBuffer?, shape: TensorShape, gamma: HostBuffer?, beta: HostBuffer?,
        running: RunningStatisticsBuffers<HostBuffer>, options: BatchNormOptions, y: HostBuffer
    ) throws {
        let geometry = try Operands.forwardInference(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance, y: y
        ).addingInput(z: z).checked(shape: shape, options: options)
        y.values = normalized(x.values, geometry: geometry, mean: running.mean.values.map(Double.init),
                              invStd: inverseStd(of: running.variance.values, epsilon: options.epsilon),
                              gamma: gamma?.values, beta: beta?.values, z: z?.values, fusion: options.fusion)
    }

    /// y = γ·(x − mean)·invStd + β, or γ·((x − mean)·invStd·r + d) + β with corrections, then + z
    /// and relu when `fusion` says so, element by element, in `Double`, rounded once. mean, invStd
    /// and the corrections hold one value per group and feature (`FeatureGeometry.statisticsCount`).
    func normalized(
        _ x: [Float], geometry: FeatureGeometry, mean: [Double], invStd: [Double], gamma: [Float]?, beta: [Float]?,
        z: [Float]? = nil, fusion: FusedOperation = .none, corrections: Renormalized? = nil
    ) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        geometry.forEachElement { index, feature, statistic in
            // γ·((x − mean)·invStd·r + d) + β as (x − mean)·(γ·invStd·r) + (γ·d + β), which r = 1
            // and d = 0 leave batch norm's bit for bit
            let gain = Double(gamma?[feature] ?? 1)
            let scale = gain * invStd[statistic] * (corrections?.r[statistic] ?? 1)
            let shift = gain * (corrections?.d[statistic] ?? 0) + Double(beta?[feature] ?? 0)
            var value = (Double(x[index]) - mean[statistic]) * scale + shift
            if let z { value += Double(z[index]) }
            if fusion != .none && value < 0 { value = 0 }
            y[index] = Float(value)
        }
        return y
    }

    /// 1/√(variance + ε) per feature, in `Double`.
    func inverseStd(of variance: [Float], epsilon: Float) -> [Double] {
        variance.map { 1 / (Double($0) + Double(epsilon)).squareRoot() }
    }
}

/// A batch's mean and Σ(x − mean)² per group and feature (one group but for virtual batches), by
/// two passes in `Double`.
struct BatchStatistics {
    var mean: [Double]
    var sumOfSquares: [Double]

    init(mean: [Double], sumOfSquares: [Double]) {
        self.mean = mean
        self.sumOfSquares = sumOfSquares
    }

    init(x: [Float], geometry: FeatureGeometry) {
        var sum = [Double](repeating: 0, count: geometry.statisticsCount)
        geometry.forEachElement { index, _, statistic in sum[statistic] += Double(x[index]) }
        let mean = sum.map { $0 / Double(geometry.valuesPerFeature) }
        var sumOfSquares = [Double](repeating: 0, count: geometry.statisticsCount)
        geometry.forEachElement { index, _, statistic in
            let deviation = Double(x[index]) - mean[statistic]
            sumOfSquares[statistic] += deviation * deviation
        }
        self.init(mean: mean, sumOfSquares: sumOfSquares)
    }

    /// Per feature, the groups' mean of means and mean of Σ(x − mean)²: what the running statistics
    /// blend, as Keras averages virtual batches' statistics (the same values for one group).
    func averagedOverGroups(_ geometry: FeatureGeometry) -> BatchStatistics {
        let features = geometry.features, groups = Double(geometry.groups)
        func average(_ values: [Double]) -> [Double] {
            (0..<features).map { f in stride(from: f, to: values.count, by: features).reduce(0) { $0 + values[$1] } / groups }
        }
        return BatchStatistics(mean: average(mean), sumOfSquares: average(sumOfSquares))
    }
}

/// Batch Renormalization's corrections per feature (``BNCore/Renormalization``), in `Double`, from
/// the batch's statistics and the running statistics before the pass updates them.
struct Renormalized {
    var r: [Double]
    var d: [Double]

    /// r = clip(σ_B/σ, 1/rMax, rMax) and d = clip((μ_B − running mean)/σ, −dMax, dMax), with
    /// σ_B = 1/invStd and σ = 1/runningInverseStd; a NaN ratio stays NaN.
    /// mean and invStd hold one value per group and feature, the running statistics one per feature.
    init(limits: Renormalization, mean: [Double], invStd: [Double], runningMean: [Float], runningInverseStd: [Double]) {
        func clipped(_ value: Double, _ low: Double, _ high: Double) -> Double {
            value < low ? low : (value > high ? high : value)
        }
        let rMax = Double(limits.rMax), dMax = Double(limits.dMax), features = runningMean.count
        r = invStd.indices.map { clipped(runningInverseStd[$0 % features] / invStd[$0], 1 / rMax, rMax) }
        d = mean.indices.map {
            clipped((mean[$0] - Double(runningMean[$0 % features])) * runningInverseStd[$0 % features], -dMax, dMax)
        }
    }

    /// The corrections a backward pass takes back, as given.
    init(r: [Float], d: [Float]) {
        self.r = r.map(Double.init)
        self.d = d.map(Double.init)
    }
}
