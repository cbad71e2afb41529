import BNCore
import BNCPU
import BNTestSupport
import Testing

/// The CPU reference against the tests' own float64 batch norm, which indexes by (n, c, s) and
/// shares no code with the library.
@Suite("CPU reference against float64")
struct CPUReferenceTests {
    let cpu = CPUBackend()

    @Test("training forward and the running statistics", arguments: TestCase.grid, NormalizationMode.allCases)
    func forwardTraining(testCase: TestCase, mode: NormalizationMode) throws {
        let inputs = TestInputs(testCase, mode: mode)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        guard indexing.valuesPerFeature > 1 else { return }
        let options = BatchNormOptions(mode: mode)
        var running = inputs.running
        let actual = try cpu.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                             running: &running, options: options)
        let expected = Float64Reference.forwardTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                        beta: inputs.beta, running: inputs.running, options: options)
        let label = "\(testCase) \(mode)"
        let relative = [Double](repeating: 0, count: indexing.featureCount)
        expectClose(actual.y, expected.y, tolerance: Tolerance.cpuReference, "y of \(label)", locate: indexing.describe(index:))
        expectClose(actual.mean, expected.mean, scale: expected.standardDeviation, tolerance: Tolerance.cpuReference, "mean of \(label)")
        expectClose(actual.invStd, expected.invStd, scale: relative, tolerance: Tolerance.cpuReference, "invStd of \(label)")
        expectClose(running.mean, expected.running.mean, scale: expected.runningMeanScale, tolerance: Tolerance.cpuReference,
                    "running mean of \(label)")
        expectClose(running.variance, expected.running.variance, scale: relative, tolerance: Tolerance.cpuReference,
                    "running variance of \(label)")
    }

    @Test("inference forward", arguments: TestCase.grid, NormalizationMode.allCases)
    func forwardInference(testCase: TestCase, mode: NormalizationMode) throws {
        let inputs = TestInputs(testCase, mode: mode)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = BatchNormOptions(mode: mode)
        let actual = try cpu.forwardInference(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                              running: inputs.running, options: options)
        let expected = Float64Reference.forwardInference(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                         beta: inputs.beta, running: inputs.running, options: options)
        expectClose(actual, expected, tolerance: Tolerance.cpuReference, "y of \(testCase) \(mode)", locate: indexing.describe(index:))
    }

    @Test("backward, with batch and with frozen statistics", arguments: TestCase.grid, NormalizationMode.allCases)
    func backward(testCase: TestCase, mode: NormalizationMode) throws {
        let inputs = TestInputs(testCase, mode: mode)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = BatchNormOptions(mode: mode)
        let (mean, invStd) = Float64Reference.savedStatistics(inputs, indexing: indexing, options: options)
        let training = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                        statistics: .batch(mean: mean, invStd: invStd), options: options)
        let expected = Float64Reference.backward(dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                 mean: mean.map(Double.init), invStd: invStd.map(Double.init),
                                                 usesBatchStatistics: true)
        expectGradientsClose(training, (expected.dx, expected.dGamma, expected.dBeta), scales: expected,
                             tolerance: Tolerance.cpuReference, "\(testCase) \(mode)", indexing: indexing)

        let frozen = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                            statistics: .running(inputs.running), options: options)
        let expectedFrozen = Float64Reference.backwardFrozen(
            dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma, running: inputs.running,
            epsilon: options.epsilon)
        expectGradientsClose(frozen, (expectedFrozen.dx, expectedFrozen.dGamma, expectedFrozen.dBeta), scales: expectedFrozen,
                             tolerance: Tolerance.cpuReference, "\(testCase) \(mode), frozen", indexing: indexing)
    }

    @Test("nil γ and β mean γ = 1 and β = 0")
    func identityAffine() throws {
        let testCase = TestCase("odd sizes", TensorShape(n: 5, c: 3, h: 13, w: 11))
        let inputs = TestInputs(testCase, mode: .spatial)
        var running = inputs.running
        let ones = [Float](repeating: 1, count: 3), zeros = [Float](repeating: 0, count: 3)
        let implicit = try cpu.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: nil, beta: nil,
                                               running: &running, options: BatchNormOptions())
        let explicit = try cpu.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: ones, beta: zeros,
                                               running: &running, options: BatchNormOptions())
        #expect(implicit.y == explicit.y)
    }
}
