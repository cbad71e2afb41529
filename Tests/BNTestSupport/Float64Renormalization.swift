import BNCore

extension Float64Reference {
    /// A renormalizing training pass in float64 (Ioffe 2017), written from the paper's definitions:
    /// σ_B = √(σ²_B + ε), σ = √(running variance + ε), r = clip(σ_B/σ, 1/rMax, rMax),
    /// d = clip((μ_B − running mean)/σ, −dMax, dMax), y = γ·((x − μ_B)/σ_B·r + d) + β; the running
    /// statistics update as batch norm's do.
    public struct Renormalized: Sendable {
        /// Batch norm's outputs, with y renormalized.
        public var forward: Forward
        public var r: [Double]
        public var d: [Double]
        /// (|μ_B| + |running mean|)/σ: d is judged against the terms it is the difference of.
        public var dScale: [Double]
    }

    public static func renormalizedTraining(
        x: [Float], indexing: TensorIndexing, gamma: [Float]?, beta: [Float]?, running: RunningStatistics,
        options: BatchNormOptions, limits: Renormalization
    ) -> Renormalized {
        var forward = forwardTraining(x: x, indexing: indexing, gamma: gamma, beta: beta, running: running,
                                      options: options)
        let features = indexing.featureCount, epsilon = Double(options.epsilon)
        let rMax = Double(limits.rMax), dMax = Double(limits.dMax)
        let batchSigma = forward.invStd.map { 1 / $0 }
        let sigma = running.variance.map { (Double($0) + epsilon).squareRoot() }
        let r = (0..<features).map { min(max(batchSigma[$0] / sigma[$0], 1 / rMax), rMax) }
        let d = (0..<features).map { min(max((forward.mean[$0] - Double(running.mean[$0])) / sigma[$0], -dMax), dMax) }
        indexing.forEach { index, f in
            let xhat = (Double(x[index]) - forward.mean[f]) / batchSigma[f]
            forward.y[index] = Double(gamma?[f] ?? 1) * (xhat * r[f] + d[f]) + Double(beta?[f] ?? 0)
        }
        let dScale = (0..<features).map { (abs(forward.mean[$0]) + abs(Double(running.mean[$0]))) / sigma[$0] }
        return Renormalized(forward: forward, r: r, d: d, dScale: dScale)
    }

    /// The backward pass of a renormalized training pass with r and d held fixed (the paper's
    /// stop-gradient): with x̂_B = (x − μ_B)·invStd, dβ = Σ dy, dγ = Σ dy·(x̂_B·r + d) and
    /// dx = γ·r·invStd·(dy − mean(dy) − x̂_B·mean(dy·x̂_B)); μ_B is x's batch mean.
    ///
    /// dγ is judged at r·√Σ(dy·x̂_B)² + |d|·√Σ dy²: a backend sums Σ dy·x̂_B and Σ dy, as batch norm
    /// does, and combines them per feature (dγ = r·Σ dy·x̂_B + d·Σ dy), so each sum's rounding is
    /// carried at its own scale, which can exceed √Σ(dy·(x̂_B·r + d))² where the two terms cancel.
    public static func renormalizedBackward(
        dy: [Float], x: [Float], indexing: TensorIndexing, gamma: [Float]?, invStd: [Double], r: [Double], d: [Double]
    ) -> Backward {
        let features = indexing.featureCount, m = Double(indexing.valuesPerFeature)
        var mean = [Double](repeating: 0, count: features)
        indexing.forEach { index, f in mean[f] += Double(x[index]) / m }
        var sumDy = [Double](repeating: 0, count: features), sumDyXhat = sumDy
        var dGamma = sumDy, dBetaSquares = sumDy, dyXhatSquares = sumDy
        indexing.forEach { index, f in
            let g = Double(dy[index]), xhat = (Double(x[index]) - mean[f]) * invStd[f]
            sumDy[f] += g
            sumDyXhat[f] += g * xhat
            dGamma[f] += g * (xhat * r[f] + d[f])
            dBetaSquares[f] += g * g
            dyXhatSquares[f] += (g * xhat) * (g * xhat)
        }
        var dx = [Double](repeating: 0, count: indexing.elementCount), dxScale = dx
        indexing.forEach { index, f in
            let scale = Double(gamma?[f] ?? 1) * r[f] * invStd[f]
            let g = Double(dy[index]), xhat = (Double(x[index]) - mean[f]) * invStd[f]
            dx[index] = scale * (g - sumDy[f] / m - xhat * sumDyXhat[f] / m)
            dxScale[index] = abs(scale) * (dBetaSquares[f] / m).squareRoot()
        }
        return Backward(dx: dx, dGamma: dGamma, dBeta: sumDy, dxScale: dxScale,
                        dGammaScale: (0..<features).map { abs(r[$0]) * dyXhatSquares[$0].squareRoot() + abs(d[$0]) * dBetaSquares[$0].squareRoot() },
                        dBetaScale: dBetaSquares.map { $0.squareRoot() })
    }
}
