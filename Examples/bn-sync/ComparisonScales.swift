import BatchNorm

/// The magnitude each output is judged at, as the test suite's float64 reference judges it: a sum
/// against the root of the sum of its squared terms, dx against |γ|·invStd times its channel's RMS
/// of dy, a mean against its channel's spread. Rounding errors scale with the terms summed, not with
/// the result: with two values per channel dx is all cancellation, of the order of its rounding, and
/// judged against its own RMS it would fail where nothing is wrong.
struct ComparisonScales {
    /// Per element of the whole batch's dx.
    var dx: [Double]
    /// √Σ(dy·x̂)² per channel.
    var dGamma: [Double]
    /// √Σdy² per channel.
    var dBeta: [Double]
    /// σ per channel (√(1/invStd² − ε) is σ to within ε; 1/invStd is used).
    var mean: [Double]
    /// |old running mean| + |μ| + σ per channel: a bound on the terms the running mean is blended from
    /// whatever the momentum.
    var runningMean: [Double]

    /// - Parameters:
    ///   - batch: The whole batch.
    ///   - reference: The single-process outputs on it, whose mean and invStd define x̂.
    init(batch: SeededBatch, reference: StepComparison.Outputs) {
        let shape = batch.shape, channels = shape.c
        let channel = Self.channelOfElement(shape)
        let mean = reference.forward.mean.map(Double.init), invStd = reference.forward.invStd.map(Double.init)
        var dySquares = [Double](repeating: 0, count: channels), dyXhatSquares = dySquares, counts = dySquares
        for index in batch.dy.indices {
            let c = channel(index), dy = Double(batch.dy[index])
            let xhat = (Double(batch.x[index]) - mean[c]) * invStd[c]
            dySquares[c] += dy * dy
            dyXhatSquares[c] += (dy * xhat) * (dy * xhat)
            counts[c] += 1
        }
        let dxPerChannel = (0..<channels).map {
            abs(Double(batch.gamma[$0])) * invStd[$0] * (dySquares[$0] / max(counts[$0], 1)).squareRoot()
        }
        dx = batch.dy.indices.map { dxPerChannel[channel($0)] }
        dGamma = dyXhatSquares.map { $0.squareRoot() }
        dBeta = dySquares.map { $0.squareRoot() }
        let spread = invStd.map { 1 / $0 }
        self.mean = spread
        runningMean = (0..<channels).map { abs(Double(batch.running.mean[$0])) + abs(mean[$0]) + spread[$0] }
    }

    /// The channel of an element of x in `shape`'s layout: channels first, or channels last.
    static func channelOfElement(_ shape: TensorShape) -> (Int) -> Int {
        let inner = shape.spatial.reduce(1, *), channels = shape.c
        return shape.layout == .nchw ? { ($0 / inner) % channels } : { $0 % channels }
    }
}
