import BatchNorm
import BNTestSupport
import Testing

/// `SplitPhaseBackend.updateRunning(_:with:options:)`: the running-statistics blend of synchronized
/// batch norm, on the device where there is one, against the blend written out here in `Double`.
@Suite("Blending merged statistics into the running statistics")
struct UpdateRunningTests {
    static let statistics = PartialStatistics(count: 37, mean: [0.25, -3.5, 1e4, 0], m2: [36, 1.5, 7.2e3, 0])
    static let running = RunningStatistics(mean: [0.1, -2, 9_999, 0.5], variance: [1, 0.03, 190, 2])

    /// keep·running + take·batch in `Double`, rounded once, as the options and count say.
    static func expected(_ options: BatchNormOptions, batchesTracked: Int) -> RunningStatistics {
        let (keep, take): (Double, Double) = switch (options.momentum, options.convention) {
        case (nil, _): (1 - 1 / Double(batchesTracked + 1), 1 / Double(batchesTracked + 1))
        case let (momentum?, .pytorch): (1 - Double(momentum), Double(momentum))
        case let (momentum?, .keras): (Double(momentum), 1 - Double(momentum))
        }
        let divisor = Double(options.unbiasedRunningVariance ? statistics.count - 1 : statistics.count)
        return RunningStatistics(
            mean: zip(running.mean, statistics.mean).map { Float(keep * Double($0) + take * $1) },
            variance: zip(running.variance, statistics.m2).map { Float(keep * Double($0) + take * $1 / divisor) })
    }

    static let options = [
        BatchNormOptions(momentum: 0.1),
        BatchNormOptions(momentum: nil),
        BatchNormOptions.keras(momentum: 0.99),
    ]

    @Test("every convention blends as written out, and one more batch is counted", arguments: BackendKind.available)
    func blends(kind: BackendKind) throws {
        let backend = try kind.make()
        for options in Self.options {
            var running = try backend.upload(Self.running)
            running.batchesTracked = 3
            try backend.updateRunning(&running, with: Self.statistics, options: options)
            let want = Self.expected(options, batchesTracked: 3), got = try backend.download(running)
            #expect(running.batchesTracked == 4)
            if kind == .cpu {
                // the reference blends in Double, rounded once: the same expression as written here
                #expect(got.mean == want.mean && got.variance == want.variance, "\(options)")
            } else {
                // the device blends in float: two products and a sum, each rounded
                _ = expectClose(got.mean, want.mean, tolerance: 4 * ElementType.float32.unitRoundoff, "mean, \(options)")
                _ = expectClose(got.variance, want.variance, tolerance: 4 * ElementType.float32.unitRoundoff,
                            "variance, \(options)")
            }
        }
    }

    @Test("the second forward phase blends as updateRunning alone does, to the bit", arguments: BackendKind.available)
    func sameAsForwardPhase(kind: BackendKind) throws {
        let backend = try kind.make()
        let shape = TensorShape(n: 37, c: 4)
        let inputs = TestInputs(TestCase("blend", shape), mode: .spatial)
        let x = try backend.upload(inputs.x), y = try backend.makeBuffer(count: inputs.x.count)
        let mean = try backend.makeBuffer(count: 4), invStd = try backend.makeBuffer(count: 4)
        var throughForward = try backend.upload(Self.running), alone = try backend.upload(Self.running)
        try backend.forwardTraining(x: x, shape: shape, gamma: nil, beta: nil, statistics: Self.statistics,
                                    running: &throughForward, options: BatchNormOptions(), y: y, mean: mean,
                                    invStd: invStd)
        try backend.updateRunning(&alone, with: Self.statistics, options: BatchNormOptions())
        #expect(try backend.download(throughForward) == backend.download(alone))
        #expect(throughForward.batchesTracked == 1 && alone.batchesTracked == 1)
    }

    @Test("statistics of another feature count or of one value, 16-bit running statistics and a bad momentum are refused, and nothing changes",
          arguments: BackendKind.available)
    func refusals(kind: BackendKind) throws {
        let backend = try kind.make()
        let one = PartialStatistics(count: 1, mean: [0, 0, 0, 0], m2: [0, 0, 0, 0])
        let three = PartialStatistics(count: 37, mean: [0, 0, 0], m2: [0, 0, 0])
        let cases: [(PartialStatistics, BatchNormOptions, reason: String)] = [
            (three, BatchNormOptions(), "the merged statistics have 3 features but running.mean holds 4 values"),
            (one, BatchNormOptions(), "count 1 values per feature"),
            (Self.statistics, BatchNormOptions(momentum: 1.5), "momentum"),
        ]
        for (statistics, options, reason) in cases {
            var running = try backend.upload(Self.running)
            #expect {
                try backend.updateRunning(&running, with: statistics, options: options)
            } throws: { error in
                switch error as? BatchNormError {
                case let .statisticsMismatch(text)?: text.contains(reason)
                case let .invalidOption(name, _, _)?: name == reason
                default: false
                }
            }
            #expect(try backend.download(running) == Self.running && running.batchesTracked == 0)
        }
        var half = RunningStatisticsBuffers(mean: try backend.upload(Self.running.mean, as: .float16),
                                            variance: try backend.upload(Self.running.variance))
        #expect(throws: BatchNormError.elementTypeMismatch(argument: "running.mean", expected: .float32, actual: .float16)) {
            try backend.updateRunning(&half, with: Self.statistics, options: BatchNormOptions())
        }
        #expect(half.batchesTracked == 0)
    }
}
