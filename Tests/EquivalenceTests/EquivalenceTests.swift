import BatchNorm
import BNTestSupport
import Testing

/// The CPU reference against OpenCL (PoCL here, any device in general) for every pass, layout and
/// mode. Each output is judged at the magnitude the float64 reference gives it (see `Tolerance`).
@Suite("CPU reference and OpenCL agree", .enabled(if: TestBackends.hasOpenCLDevice))
struct EquivalenceTests {
    @Test("training forward: y, mean, invStd and running statistics", arguments: TestCase.grid, NormalizationMode.allCases)
    func forwardTraining(testCase: TestCase, mode: NormalizationMode) throws {
        try EquivalenceChecks(openCL: TestBackends.openCL()).forwardTraining(testCase: testCase, mode: mode)
    }

    @Test("inference forward", arguments: TestCase.grid, NormalizationMode.allCases)
    func forwardInference(testCase: TestCase, mode: NormalizationMode) throws {
        try EquivalenceChecks(openCL: TestBackends.openCL()).forwardInference(testCase: testCase, mode: mode)
    }

    @Test("backward with batch statistics", arguments: TestCase.grid, NormalizationMode.allCases)
    func backward(testCase: TestCase, mode: NormalizationMode) throws {
        try EquivalenceChecks(openCL: TestBackends.openCL()).backward(testCase: testCase, mode: mode)
    }

    @Test("backward with frozen statistics", arguments: TestCase.grid, NormalizationMode.allCases)
    func backwardFrozen(testCase: TestCase, mode: NormalizationMode) throws {
        try EquivalenceChecks(openCL: TestBackends.openCL()).backwardFrozen(testCase: testCase, mode: mode)
    }
}

/// The comparisons of one OpenCL backend with the CPU reference, pass by pass; the equivalence suite
/// runs them on the shared backend, the tuning suite under each candidate's launch settings, the
/// property suite on random cases. `options` (whose mode must be `mode`) defaults to PyTorch's, and
/// `seed` draws the inputs.
struct EquivalenceChecks {
    let openCL: OpenCLBackend
    let cpu = CPUBackend()

    func forwardTraining(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil, seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        var cpuRunning = inputs.running, openCLRunning = inputs.running
        guard indexing.valuesPerFeature > 1 else {
            #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: testCase.shape, mode: mode)) {
                try openCL.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                           running: &openCLRunning, options: options)
            }
            #expect(openCLRunning == inputs.running)
            return
        }
        let expected = try cpu.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                               running: &cpuRunning, options: options)
        let actual = try openCL.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                                running: &openCLRunning, options: options)
        let reference = Float64Reference.forwardTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                         beta: inputs.beta, running: inputs.running, options: options)
        let label = "\(testCase) \(mode)"
        expectClose(actual.y, expected.y, tolerance: Tolerance.openCL, "y of \(label)", locate: indexing.describe(index:))
        expectClose(actual.mean, expected.mean, scale: reference.standardDeviation, tolerance: Tolerance.openCL, "mean of \(label)")
        expectClose(actual.invStd, expected.invStd, scale: zeros(indexing.featureCount), tolerance: Tolerance.openCL, "invStd of \(label)")
        expectClose(openCLRunning.mean, cpuRunning.mean, scale: reference.runningMeanScale, tolerance: Tolerance.openCL,
                    "running mean of \(label)")
        expectClose(openCLRunning.variance, cpuRunning.variance, scale: zeros(indexing.featureCount), tolerance: Tolerance.openCL,
                    "running variance of \(label)")
        #expect(openCLRunning.batchesTracked == 1)
    }

    func forwardInference(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil, seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let expected = try cpu.forwardInference(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                                running: inputs.running, options: options)
        let actual = try openCL.forwardInference(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                                 running: inputs.running, options: options)
        expectClose(actual, expected, tolerance: Tolerance.openCL, "y of \(testCase) \(mode)", locate: indexing.describe(index:))
    }

    func backward(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil, seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let (mean, invStd) = Float64Reference.savedStatistics(inputs, indexing: indexing, options: options)
        let expected = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                        statistics: .batch(mean: mean, invStd: invStd), options: options)
        let actual = try openCL.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                         statistics: .batch(mean: mean, invStd: invStd), options: options)
        let reference = Float64Reference.backward(dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                  mean: mean.map(Double.init), invStd: invStd.map(Double.init),
                                                  usesBatchStatistics: true)
        expectGradientsClose(actual, (expected.dx, expected.dGamma, expected.dBeta), scales: reference,
                             tolerance: Tolerance.openCL, "\(testCase) \(mode)", indexing: indexing)
    }

    func backwardFrozen(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil, seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let expected = try cpu.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                              statistics: .running(inputs.running), options: options)
        let actual = try openCL.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                               statistics: .running(inputs.running), options: options)
        let reference = Float64Reference.backwardFrozen(
            dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma, running: inputs.running,
            epsilon: options.epsilon)
        expectGradientsClose(actual, (expected.dx, expected.dGamma, expected.dBeta), scales: reference,
                             tolerance: Tolerance.openCL, "\(testCase) \(mode), frozen", indexing: indexing)
    }

    private func zeros(_ count: Int) -> [Double] {
        [Double](repeating: 0, count: count)
    }
}
