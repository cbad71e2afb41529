import BatchNorm
import BNTestSupport
import Testing

/// Running statistics over several training steps, on every backend, against the conventions'
/// definitions computed here in float64.
@Suite("Running statistics")
struct RunningStatisticsTests {
    static let shape = TensorShape(n: 6, c: 2)

    /// A batch of 6×2 values and its float64 mean and biased variance per feature.
    struct Batch {
        var x: [Float]
        var mean: [Double]
        var variance: [Double]

        init(seed: UInt64) {
            var random = SeededGenerator(seed: seed)
            let values = random.normals(12, mean: 3, standardDeviation: 2)
            let means = (0..<2).map { c in (0..<6).reduce(0.0) { $0 + Double(values[$1 * 2 + c]) } / 6 }
            x = values
            mean = means
            variance = (0..<2).map { c in (0..<6).reduce(0.0) { $0 + pow2(Double(values[$1 * 2 + c]) - means[c]) } / 6 }
        }
    }

    /// Runs `steps` training batches from `start` and returns the statistics with the batches used.
    func train(_ kind: BackendKind, options: BatchNormOptions, steps: Int, start: RunningStatistics) throws
        -> (RunningStatistics, [Batch]) {
        let backend = try kind.make()
        var running = start
        let batches = (0..<steps).map { Batch(seed: 100 + UInt64($0)) }
        for batch in batches {
            _ = try backend.forwardTraining(x: batch.x, shape: Self.shape, gamma: nil, beta: nil, running: &running, options: options)
        }
        return (running, batches)
    }

    func expectStatistics(_ running: RunningStatistics, mean: [Double], variance: [Double], steps: Int, _ label: String,
                          sourceLocation: SourceLocation = #_sourceLocation) {
        let relative: [Double] = [0, 0]
        expectClose(running.mean, mean, scale: relative, tolerance: Tolerance.openCL, "running mean, \(label)", sourceLocation: sourceLocation)
        expectClose(running.variance, variance, scale: relative, tolerance: Tolerance.openCL, "running variance, \(label)",
                    sourceLocation: sourceLocation)
        #expect(running.batchesTracked == steps, sourceLocation: sourceLocation)
    }

    static let start = RunningStatistics(mean: [0.5, -1], variance: [2, 0.25])

    @Test("PyTorch: running = (1 − m)·running + m·batch with the unbiased variance, three steps", arguments: BackendKind.available)
    func pytorch(kind: BackendKind) throws {
        let (running, batches) = try train(kind, options: BatchNormOptions(momentum: 0.1), steps: 3, start: Self.start)
        var mean = Self.start.mean.map(Double.init), variance = Self.start.variance.map(Double.init)
        for batch in batches {
            mean = (0..<2).map { 0.9 * mean[$0] + 0.1 * batch.mean[$0] }
            variance = (0..<2).map { 0.9 * variance[$0] + 0.1 * batch.variance[$0] * 6 / 5 }
        }
        expectStatistics(running, mean: mean, variance: variance, steps: 3, "PyTorch on \(kind)")
    }

    @Test("PyTorch with the biased variance stored", arguments: BackendKind.available)
    func pytorchBiased(kind: BackendKind) throws {
        let options = BatchNormOptions(momentum: 0.3, unbiasedRunningVariance: false)
        let (running, batches) = try train(kind, options: options, steps: 1, start: Self.start)
        let variance = (0..<2).map { 0.7 * Double(Self.start.variance[$0]) + 0.3 * batches[0].variance[$0] }
        let mean = (0..<2).map { 0.7 * Double(Self.start.mean[$0]) + 0.3 * batches[0].mean[$0] }
        expectStatistics(running, mean: mean, variance: variance, steps: 1, "biased on \(kind)")
    }

    @Test("Keras: running = momentum·running + (1 − momentum)·batch with the biased variance, three steps",
          arguments: BackendKind.available)
    func keras(kind: BackendKind) throws {
        let (running, batches) = try train(kind, options: .keras(momentum: 0.8), steps: 3, start: Self.start)
        var mean = Self.start.mean.map(Double.init), variance = Self.start.variance.map(Double.init)
        for batch in batches {
            mean = (0..<2).map { 0.8 * mean[$0] + 0.2 * batch.mean[$0] }
            variance = (0..<2).map { 0.8 * variance[$0] + 0.2 * batch.variance[$0] }
        }
        expectStatistics(running, mean: mean, variance: variance, steps: 3, "Keras on \(kind)")
    }

    @Test("momentum nil: the running statistics are the average over the batches seen", arguments: BackendKind.available)
    func cumulativeAverage(kind: BackendKind) throws {
        let (running, batches) = try train(kind, options: BatchNormOptions(momentum: nil), steps: 4, start: RunningStatistics(channels: 2))
        let mean = (0..<2).map { c in batches.reduce(0) { $0 + $1.mean[c] } / 4 }
        let variance = (0..<2).map { c in batches.reduce(0) { $0 + $1.variance[c] * 6 / 5 } / 4 }
        expectStatistics(running, mean: mean, variance: variance, steps: 4, "cumulative on \(kind)")
    }

    @Test("momentum 0 keeps the running statistics; momentum 1 replaces them", arguments: BackendKind.available)
    func extremes(kind: BackendKind) throws {
        let (kept, _) = try train(kind, options: BatchNormOptions(momentum: 0), steps: 2, start: Self.start)
        expectStatistics(kept, mean: Self.start.mean.map(Double.init), variance: Self.start.variance.map(Double.init),
                         steps: 2, "momentum 0 on \(kind)")
        let (replaced, batches) = try train(kind, options: BatchNormOptions(momentum: 1), steps: 2, start: Self.start)
        expectStatistics(replaced, mean: batches[1].mean, variance: batches[1].variance.map { $0 * 6 / 5 },
                         steps: 2, "momentum 1 on \(kind)")
    }

    @Test("the batch count saturates instead of trapping, and a negative count counts as none",
          arguments: BackendKind.available)
    func batchCountEdges(kind: BackendKind) throws {
        let backend = try kind.make()
        let batch = Batch(seed: 5)
        var saturated = Self.start
        saturated.batchesTracked = .max
        _ = try backend.forwardTraining(x: batch.x, shape: Self.shape, gamma: nil, beta: nil, running: &saturated,
                                        options: BatchNormOptions())
        #expect(saturated.batchesTracked == .max)
        var negative = Self.start
        negative.batchesTracked = -7
        _ = try backend.forwardTraining(x: batch.x, shape: Self.shape, gamma: nil, beta: nil, running: &negative,
                                        options: BatchNormOptions(momentum: nil))
        expectStatistics(negative, mean: batch.mean, variance: batch.variance.map { $0 * 6 / 5 }, steps: 1,
                         "first cumulative batch after a negative count on \(kind)")
    }
}

private func pow2(_ value: Double) -> Double { value * value }
