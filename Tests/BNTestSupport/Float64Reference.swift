import BNCore

/// The tests' float64 batch norm, written from the formulas with explicit (n, c, s) loops: what
/// both backends are judged against, together with the magnitude each output is judged at.
public enum Float64Reference {
    /// A training forward pass in float64, and the scale each output is judged at.
    public struct Forward: Sendable {
        public var y: [Double]
        public var mean: [Double]
        public var invStd: [Double]
        /// √σ² per feature: a mean is judged against its feature's spread.
        public var standardDeviation: [Double]
        public var running: (mean: [Double], variance: [Double])
        /// keep·|old running mean| + take·(|μ| + σ): the running mean is judged against the terms it
        /// is blended from, not the batch's spread alone, which can be tiny when m is small.
        public var runningMeanScale: [Double]
    }

    /// A backward pass in float64, and the scale each output is judged at: a sum against the
    /// root of the sum of its squared terms, dx against γ·invStd times its feature's RMS of dy.
    public struct Backward: Sendable {
        public var dx: [Double]
        public var dGamma: [Double]
        public var dBeta: [Double]
        public var dxScale: [Double]
        public var dGammaScale: [Double]
        public var dBetaScale: [Double]
    }

    /// The mean and invStd a training pass saves for the backward pass, computed in float64 and
    /// rounded to Float as a backend returns them: the statistics the backward tests feed every backend.
    public static func savedStatistics(
        _ inputs: TestInputs, indexing: TensorIndexing, options: BatchNormOptions
    ) -> (mean: [Float], invStd: [Float]) {
        let saved = forwardTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma, beta: inputs.beta,
                                    running: inputs.running, options: options)
        return (saved.mean.map(Float.init), saved.invStd.map(Float.init))
    }

    public static func forwardTraining(
        x: [Float], indexing: TensorIndexing, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) -> Forward {
        let features = indexing.featureCount, m = Double(indexing.valuesPerFeature)
        var sum = [Double](repeating: 0, count: features)
        indexing.forEach { index, feature in sum[feature] += Double(x[index]) }
        let mean = sum.map { $0 / m }
        var squares = [Double](repeating: 0, count: features)
        indexing.forEach { index, feature in squares[feature] += (Double(x[index]) - mean[feature]) * (Double(x[index]) - mean[feature]) }
        let variance = squares.map { $0 / m }
        let invStd = variance.map { 1 / ($0 + Double(options.epsilon)).squareRoot() }

        // The running update, from the conventions' definitions.
        let batchWeight: Double
        switch (options.momentum, options.convention) {
        case (nil, _): batchWeight = 1 / Double(running.batchesTracked + 1)
        case let (p?, .pytorch): batchWeight = Double(p)
        case let (k?, .keras): batchWeight = 1 - Double(k)
        }
        let oldWeight: Double = switch (options.momentum, options.convention) {
        case (nil, _): 1 - batchWeight
        case let (p?, .pytorch): 1 - Double(p)
        case let (k?, .keras): Double(k)
        }
        let stored = options.unbiasedRunningVariance ? variance.map { $0 * m / (m - 1) } : variance
        let runningMean = (0..<features).map { oldWeight * Double(running.mean[$0]) + batchWeight * mean[$0] }
        let runningVariance = (0..<features).map { oldWeight * Double(running.variance[$0]) + batchWeight * stored[$0] }

        let runningMeanScale = (0..<features).map {
            oldWeight * abs(Double(running.mean[$0])) + batchWeight * (abs(mean[$0]) + variance[$0].squareRoot())
        }
        return Forward(y: normalize(x, indexing: indexing, mean: mean, invStd: invStd, gamma: gamma, beta: beta),
                       mean: mean, invStd: invStd, standardDeviation: variance.map { $0.squareRoot() },
                       running: (runningMean, runningVariance), runningMeanScale: runningMeanScale)
    }

    public static func forwardInference(
        x: [Float], indexing: TensorIndexing, gamma: [Float]?, beta: [Float]?,
        running: RunningStatistics, options: BatchNormOptions
    ) -> [Double] {
        normalize(x, indexing: indexing, mean: running.mean.map(Double.init),
                  invStd: running.variance.map { 1 / (Double($0) + Double(options.epsilon)).squareRoot() },
                  gamma: gamma, beta: beta)
    }

    /// The backward pass given the statistics the forward pass used. With `usesBatchStatistics`
    /// the mean and variance depend on x, and the mean is x's batch mean, whatever rounding `mean`
    /// carries (the library's backward recovers it from x); with frozen statistics they are
    /// constants and `mean` is used as given.
    public static func backward(
        dy: [Float], x: [Float], indexing: TensorIndexing, gamma: [Float]?,
        mean givenMean: [Double], invStd: [Double], usesBatchStatistics: Bool
    ) -> Backward {
        let features = indexing.featureCount, m = Double(indexing.valuesPerFeature)
        var mean = givenMean
        if usesBatchStatistics {
            var sum = [Double](repeating: 0, count: features)
            indexing.forEach { index, f in sum[f] += Double(x[index]) }
            mean = sum.map { $0 / m }
        }
        var dBeta = [Double](repeating: 0, count: features), dGamma = dBeta, dBetaSquares = dBeta, dGammaSquares = dBeta
        indexing.forEach { index, f in
            let g = Double(dy[index]), xhat = (Double(x[index]) - mean[f]) * invStd[f]
            dBeta[f] += g
            dGamma[f] += g * xhat
            dBetaSquares[f] += g * g
            dGammaSquares[f] += (g * xhat) * (g * xhat)
        }
        var dx = [Double](repeating: 0, count: indexing.elementCount), dxScale = dx
        indexing.forEach { index, f in
            let scale = Double(gamma?[f] ?? 1) * invStd[f]
            let g = Double(dy[index]), xhat = (Double(x[index]) - mean[f]) * invStd[f]
            dx[index] = usesBatchStatistics ? scale * (g - dBeta[f] / m - xhat * dGamma[f] / m) : scale * g
            dxScale[index] = abs(scale) * (dBetaSquares[f] / m).squareRoot()
        }
        return Backward(dx: dx, dGamma: dGamma, dBeta: dBeta, dxScale: dxScale,
                        dGammaScale: dGammaSquares.map { $0.squareRoot() }, dBetaScale: dBetaSquares.map { $0.squareRoot() })
    }

    /// The backward pass with frozen statistics: the running mean and 1/√(running variance + ε).
    public static func backwardFrozen(
        dy: [Float], x: [Float], indexing: TensorIndexing, gamma: [Float]?, running: RunningStatistics, epsilon: Float
    ) -> Backward {
        backward(dy: dy, x: x, indexing: indexing, gamma: gamma, mean: running.mean.map(Double.init),
                 invStd: running.variance.map { 1 / (Double($0) + Double(epsilon)).squareRoot() }, usesBatchStatistics: false)
    }

    private static func normalize(
        _ x: [Float], indexing: TensorIndexing, mean: [Double], invStd: [Double], gamma: [Float]?, beta: [Float]?
    ) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        indexing.forEach { index, f in
            y[index] = Double(gamma?[f] ?? 1) * (Double(x[index]) - mean[f]) * invStd[f] + Double(beta?[f] ?? 0)
        }
        return y
    }
}
