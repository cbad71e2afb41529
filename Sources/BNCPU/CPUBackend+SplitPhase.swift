import BNCore

extension CPUBackend: SplitPhaseBackend {
    public func localStatistics(x: HostBuffer, shape: TensorShape, options: BatchNormOptions) throws -> PartialStatistics {
        let geometry = try Operands.localStatistics(x: x).checked(shape: shape, options: options)
        let statistics = BatchStatistics(x: x.values, geometry: geometry)
        return PartialStatistics(count: geometry.valuesPerFeature, mean: statistics.mean, m2: statistics.sumOfSquares)
    }

    public func forwardTraining(
        x: HostBuffer, shape: TensorShape, gamma: HostBuffer?, beta: HostBuffer?, statistics: PartialStatistics,
        running: inout RunningStatisticsBuffers<HostBuffer>, options: BatchNormOptions,
        y: HostBuffer, mean: HostBuffer, invStd: HostBuffer
    ) throws {
        let geometry = try Operands.synchronizedForward(
            x: x, gamma: gamma, beta: beta, runningMean: running.mean, runningVariance: running.variance,
            y: y, mean: mean, invStd: invStd).checked(shape: shape, options: options)
        try statistics.checkMerged(for: geometry)
        let normalization = statistics.normalization(epsilon: options.epsilon)
        y.values = normalized(x.values, geometry: geometry, mean: normalization.mean, invStd: normalization.invStd,
                              gamma: gamma?.values, beta: beta?.values)
        mean.values = normalization.mean.map(Float.init)
        invStd.values = normalization.invStd.map(Float.init)
        blend(&running, mean: statistics.mean, squares: statistics.m2, count: statistics.count, options: options)
    }

    public func updateRunning(
        _ running: inout RunningStatisticsBuffers<HostBuffer>, with statistics: PartialStatistics, options: BatchNormOptions
    ) throws {
        try statistics.checkBlend(into: running, options: options)
        blend(&running, mean: statistics.mean, squares: statistics.m2, count: statistics.count, options: options)
    }

    public func gradientSums(
        dy: HostBuffer, x: HostBuffer, shape: TensorShape, mean: HostBuffer, options: BatchNormOptions
    ) throws -> GradientSums {
        let geometry = try Operands.gradientSums(dy: dy, x: x, mean: mean).checked(shape: shape, options: options)
        var sums = GradientSums.zero(features: geometry.features)
        sums.count = geometry.valuesPerFeature
        let dyValues = dy.values, xValues = x.values, meanValues = mean.values
        geometry.forEachElement { index, feature in
            let centered = Double(xValues[index]) - Double(meanValues[feature])
            sums.sumDy[feature] += Double(dyValues[index])
            sums.sumDyCentered[feature] += Double(dyValues[index]) * centered
            sums.sumCentered[feature] += centered
        }
        return sums
    }

    public func backward(
        dy: HostBuffer, x: HostBuffer, shape: TensorShape, gamma: HostBuffer?, mean: HostBuffer, invStd: HostBuffer,
        sums: GradientSums, options: BatchNormOptions, dx: HostBuffer, dGamma: HostBuffer, dBeta: HostBuffer
    ) throws {
        let geometry = try Operands.backward(dy: dy, x: x, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd),
                                             dx: dx, dGamma: dGamma, dBeta: dBeta).splitPhase().checked(shape: shape, options: options)
        try sums.checkSummed(for: geometry)
        let gradients = sums.parameterGradients(invStd: invStd.values)
        let dyValues = dy.values, xValues = x.values, gammaValues = gamma?.values, meanValues = mean.values
        let invStdValues = invStd.values.map(Double.init), m = Double(sums.count)
        var gradient = [Float](repeating: 0, count: geometry.elementCount)
        geometry.forEachElement { index, feature in
            let xhat = (Double(xValues[index]) - Double(meanValues[feature]) - gradients.residual[feature]) * invStdValues[feature]
            let scale = Double(gammaValues?[feature] ?? 1) * invStdValues[feature]
            gradient[index] = Float(scale / m * (m * Double(dyValues[index]) - gradients.dBeta[feature] - xhat * gradients.dGamma[feature]))
        }
        dx.values = gradient
        dGamma.values = gradients.dGamma.map(Float.init)
        dBeta.values = gradients.dBeta.map(Float.init)
    }
}
