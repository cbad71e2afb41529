import BatchNorm
import BNTestSupport
import Testing

/// Virtual batches (`BatchNormOptions.virtualBatchSize`, ghost batch norm) on every backend and
/// kernel path: a grouped pass equals its groups run one by one as whole batches, bit for bit (y,
/// mean, invStd, r, d, dx); the running statistics blend the groups' averaged mean and variance once,
/// as Keras does, against float64; dγ and dβ add the groups'; V = N is batch norm bit for bit; and a
/// V that does not divide N, or leaves one value per feature, is refused before anything changes.
@Suite("Virtual batches: each group a batch of its own, the running statistics from their average")
struct VirtualBatchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testCase: TestCase
        var mode: NormalizationMode
        var size: Int
        var testDescription: String { "\(testCase) \(mode) V = \(size)" }
    }

    /// Planar (resident and chunked), interleaved NHWC and NC, per-activation, groups of 2 to 11.
    static let cases: [Case] = [
        Case(testCase: TestCase("primes", TensorShape(n: 6, c: 5, h: 31, w: 37)), mode: .spatial, size: 2),
        Case(testCase: TestCase("odd sizes", TensorShape(n: 8, c: 19, h: 9, w: 5, layout: .nhwc)), mode: .spatial, size: 4),
        Case(testCase: TestCase("BN1d", TensorShape(n: 66, c: 70)), mode: .spatial, size: 11),
        Case(testCase: TestCase("per activation", TensorShape(n: 12, c: 3, h: 4, w: 5)), mode: .perActivation, size: 3),
    ]

    /// The limits of the renormalized runs (RenormalizationTests says why these).
    static let limits = Renormalization(rMax: 2, dMax: 1)

    static func inputs(_ testCase: TestCase, mode: NormalizationMode) -> TestInputs {
        var inputs = TestInputs(testCase, mode: mode)
        inputs.running.batchesTracked = 3
        return inputs
    }

    /// Group g's part of a tensor.
    static func slice(_ values: [Float], _ group: Int, of groups: Int) -> [Float] {
        let size = values.count / groups
        return Array(values[group * size..<(group + 1) * size])
    }

    /// Group g's part of a per-batch statistic.
    static func statistic(_ values: [Float], _ group: Int, features: Int) -> [Float] {
        Array(values[group * features..<(group + 1) * features])
    }

    @Test("a grouped pass is its groups run one by one, bit for bit, renormalized or not",
          arguments: BackendKind.everyPath, cases)
    func groupsOneByOne(kind: BackendKind, virtual: Case) throws {
        let backend = try kind.make()
        let (testCase, mode, size) = (virtual.testCase, virtual.mode, virtual.size)
        let inputs = Self.inputs(testCase, mode: mode)
        let groups = testCase.shape.n / size, features = inputs.gamma.count
        var groupShape = testCase.shape
        groupShape.n = size
        for limits in [nil, Self.limits] {
            let label = "\(virtual) \(limits == nil ? "batch norm" : "renorm") on \(kind)"
            var options = BatchNormOptions(mode: mode, renormalization: limits)
            var running = inputs.running
            options.virtualBatchSize = size
            let grouped = try backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                      beta: inputs.beta, running: &running, options: options)
            let backward = try backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                statistics: grouped.statistics, options: options)
            #expect(grouped.mean.count == groups * features && grouped.invStd.count == groups * features)
            options.virtualBatchSize = nil
            var dGamma = [Double](repeating: 0, count: features), dBeta = dGamma
            for group in 0..<groups {
                var alone = inputs.running
                let one = try backend.forwardTraining(x: Self.slice(inputs.x, group, of: groups), shape: groupShape,
                                                      gamma: inputs.gamma, beta: inputs.beta, running: &alone,
                                                      options: options)
                #expect(Self.slice(grouped.y, group, of: groups).map(\.bitPattern) == one.y.map(\.bitPattern),
                        "y of group \(group), \(label)")
                #expect(Self.statistic(grouped.mean, group, features: features) == one.mean, "mean of group \(group), \(label)")
                #expect(Self.statistic(grouped.invStd, group, features: features) == one.invStd,
                        "invStd of group \(group), \(label)")
                #expect(grouped.corrections.map { Self.statistic($0.r, group, features: features) } == one.corrections?.r
                        && grouped.corrections.map { Self.statistic($0.d, group, features: features) } == one.corrections?.d,
                        "r, d of group \(group), \(label)")
                let gradient = try backend.backward(dy: Self.slice(inputs.dy, group, of: groups),
                                                    x: Self.slice(inputs.x, group, of: groups), shape: groupShape,
                                                    gamma: inputs.gamma, statistics: one.statistics, options: options)
                #expect(Self.slice(backward.dx, group, of: groups).map(\.bitPattern) == gradient.dx.map(\.bitPattern),
                        "dx of group \(group), \(label)")
                for f in 0..<features {
                    dGamma[f] += Double(gradient.dGamma[f])
                    dBeta[f] += Double(gradient.dBeta[f])
                }
            }
            // the groups' sums, added in float on the device and in double here: within the sum's rounding
            expectClose(backward.dGamma, dGamma, scale: dGamma.map { _ in dGamma.map(abs).max() ?? 0 },
                        tolerance: 1e-6, "dγ of \(label)")
            expectClose(backward.dBeta, dBeta, scale: dBeta.map { _ in dBeta.map(abs).max() ?? 0 },
                        tolerance: 1e-6, "dβ of \(label)")
            #expect(running.batchesTracked == inputs.running.batchesTracked + 1, "one batch counted, \(label)")
        }
    }

    @Test("the running statistics blend the groups' averaged mean and variance once, against float64",
          arguments: BackendKind.everyPath, [MomentumConvention.pytorch, .keras])
    func runningStatistics(kind: BackendKind, convention: MomentumConvention) throws {
        let backend = try kind.make()
        for virtual in Self.cases {
            let (testCase, mode, size) = (virtual.testCase, virtual.mode, virtual.size)
            let inputs = Self.inputs(testCase, mode: mode)
            var options = convention == .keras ? BatchNormOptions.keras(momentum: 0.9) : BatchNormOptions(momentum: 0.3)
            options.mode = mode
            options.virtualBatchSize = size
            var running = inputs.running
            _ = try backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                            running: &running, options: options)
            // float64: each group's biased variance over m = V·S values, stored unbiased for PyTorch
            let groups = testCase.shape.n / size, features = inputs.gamma.count
            var groupShape = testCase.shape
            groupShape.n = size
            let indexing = TensorIndexing(shape: groupShape, mode: mode)
            let m = Double(indexing.valuesPerFeature)
            var meanSum = [Double](repeating: 0, count: features), varianceSum = meanSum, spread = meanSum
            for group in 0..<groups {
                let x = Self.slice(inputs.x, group, of: groups)
                var mean = [Double](repeating: 0, count: features), squares = mean
                indexing.forEach { index, f in mean[f] += Double(x[index]) / m }
                indexing.forEach { index, f in squares[f] += (Double(x[index]) - mean[f]) * (Double(x[index]) - mean[f]) }
                for f in 0..<features {
                    meanSum[f] += mean[f]
                    varianceSum[f] += squares[f] / (options.unbiasedRunningVariance ? m - 1 : m)
                    spread[f] += abs(mean[f]) + (squares[f] / m).squareRoot()
                }
            }
            let take = convention == .keras ? 0.1 : 0.3
            let expectedMean = (0..<features).map { (1 - take) * Double(inputs.running.mean[$0]) + take * meanSum[$0] / Double(groups) }
            let expectedVariance = (0..<features).map {
                (1 - take) * Double(inputs.running.variance[$0]) + take * varianceSum[$0] / Double(groups)
            }
            let meanScale = (0..<features).map { (1 - take) * abs(Double(inputs.running.mean[$0])) + take * spread[$0] / Double(groups) }
            let label = "\(virtual) \(convention) on \(kind)"
            expectClose(running.mean, expectedMean, scale: meanScale, tolerance: kind.tolerance, "running mean of \(label)")
            expectClose(running.variance, expectedVariance, scale: [Double](repeating: 0, count: features),
                        tolerance: kind.tolerance, "running variance of \(label)")
        }
    }

    @Test("V = N is batch norm bit for bit", arguments: BackendKind.everyPath)
    func wholeBatch(kind: BackendKind) throws {
        let backend = try kind.make()
        for virtual in Self.cases {
            let inputs = Self.inputs(virtual.testCase, mode: virtual.mode)
            let plain = BatchNormOptions(mode: virtual.mode)
            var whole = plain
            whole.virtualBatchSize = virtual.testCase.shape.n
            var plainRunning = inputs.running, wholeRunning = inputs.running
            let expected = try backend.forwardTraining(x: inputs.x, shape: virtual.testCase.shape, gamma: inputs.gamma,
                                                       beta: inputs.beta, running: &plainRunning, options: plain)
            let actual = try backend.forwardTraining(x: inputs.x, shape: virtual.testCase.shape, gamma: inputs.gamma,
                                                     beta: inputs.beta, running: &wholeRunning, options: whole)
            #expect(actual == expected && wholeRunning == plainRunning, "\(virtual) on \(kind)")
        }
    }

    @Test("a V that does not divide N, or leaves one value per feature, is refused before anything changes",
          arguments: BackendKind.available)
    func refused(kind: BackendKind) throws {
        let backend = try kind.make()
        let shape = TensorShape(n: 6, c: 3)
        let x = (0..<18).map { Float($0 % 5) }
        for size in [4, 0, 7] {
            var running = RunningStatistics(channels: 3)
            do {
                _ = try backend.forwardTraining(x: x, shape: shape, gamma: nil, beta: nil, running: &running,
                                                options: BatchNormOptions(virtualBatchSize: size))
                Issue.record("V = \(size) was accepted for N = 6 on \(kind)")
            } catch let BatchNormError.invalidOption(name, _, reason) {
                #expect(name == "virtualBatchSize" && reason.contains("give a divisor of 6 (1, 2, 3, 6)"))
            }
            #expect(running == RunningStatistics(channels: 3))
        }
        var running = RunningStatistics(channels: 3)
        #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: shape, mode: .spatial)) {
            try backend.forwardTraining(x: x, shape: shape, gamma: nil, beta: nil, running: &running,
                                        options: BatchNormOptions(virtualBatchSize: 1))
        }
        #expect(throws: BatchNormError.lengthMismatch(argument: "mean", expected: 9, actual: 3, shape: shape)) {
            try backend.backward(dy: x, x: x, shape: shape, gamma: nil,
                                 statistics: .batch(mean: [0, 0, 0], invStd: [1, 1, 1]),
                                 options: BatchNormOptions(virtualBatchSize: 2))
        }
        #expect(running == RunningStatistics(channels: 3))
        let buffer = try backend.upload(x)
        #expect(throws: BatchNormError.self) {
            try backend.localStatistics(x: buffer, shape: shape, options: BatchNormOptions(virtualBatchSize: 2))
        }
    }
}
