import BatchNorm
import BNTestSupport
import Testing

/// One backend's passes against the tests' own float64 batch norm (`Float64Reference`, which
/// indexes by (n, c, s) and shares no code with the library), each output judged at the magnitude
/// the reference gives it (see `Tolerance`). The pass suites run these on every backend, the tuning
/// suite on OpenCL under each candidate's launch settings, the property suite on random cases.
/// `options` (whose mode must be `mode`) defaults to PyTorch's, and `seed` draws the inputs.
struct PassChecks {
    let backend: AnyBatchNormBackend
    /// The largest error allowed against float64.
    let tolerance: Double
    /// The backend, as failure messages name it.
    let name: String

    init(_ kind: BackendKind) throws {
        self.backend = try kind.make()
        self.tolerance = kind.tolerance
        self.name = kind.rawValue
    }

    /// Checks on an OpenCL backend of the test's own, at OpenCL's tolerance.
    init(openCL: OpenCLBackend) {
        self.backend = AnyBatchNormBackend(openCL)
        self.tolerance = BackendKind.openCL.tolerance
        self.name = "openCL"
    }

    /// The outputs of a training pass a check compares.
    struct TrainingOutputs: OptionSet {
        let rawValue: Int
        /// The mean, invStd and running statistics (the statistics pass).
        static let statistics = TrainingOutputs(rawValue: 1)
        /// y (the normalization).
        static let y = TrainingOutputs(rawValue: 2)
        static let all: TrainingOutputs = [.statistics, .y]
    }

    /// A training pass; with a single value per feature, the refusal and running statistics left as they were.
    func forwardTraining(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil,
                         seed: UInt64 = 2015, checking outputs: TrainingOutputs = .all) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        var running = inputs.running
        let label = "\(testCase) \(mode) on \(name)"
        guard indexing.valuesPerFeature > 1 else {
            #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: testCase.shape, mode: mode)) {
                try backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                            running: &running, options: options)
            }
            #expect(running == inputs.running, "running statistics of \(label) changed by a refused call")
            return
        }
        let actual = try backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                 beta: inputs.beta, running: &running, options: options)
        let expected = Float64Reference.forwardTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                        beta: inputs.beta, running: inputs.running, options: options)
        if outputs.contains(.y) {
            expectClose(actual.y, expected.y, tolerance: tolerance, "y of \(label)", locate: indexing.describe(index:))
        }
        guard outputs.contains(.statistics) else { return }
        let relative = [Double](repeating: 0, count: indexing.featureCount)
        expectClose(actual.mean, expected.mean, scale: expected.standardDeviation, tolerance: tolerance, "mean of \(label)")
        expectClose(actual.invStd, expected.invStd, scale: relative, tolerance: tolerance, "invStd of \(label)")
        expectClose(running.mean, expected.running.mean, scale: expected.runningMeanScale, tolerance: tolerance,
                    "running mean of \(label)")
        expectClose(running.variance, expected.running.variance, scale: relative, tolerance: tolerance,
                    "running variance of \(label)")
        #expect(running.batchesTracked == inputs.running.batchesTracked + 1, "batches tracked of \(label)")
    }

    func forwardInference(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil,
                          seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let actual = try backend.forwardInference(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                  beta: inputs.beta, running: inputs.running, options: options)
        let expected = Float64Reference.forwardInference(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                         beta: inputs.beta, running: inputs.running, options: options)
        expectClose(actual, expected, tolerance: tolerance, "y of \(testCase) \(mode) on \(name)",
                    locate: indexing.describe(index:))
    }

    /// The backward pass with the batch statistics a training pass saves (float64's, rounded to float).
    func backward(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil,
                  seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let (mean, invStd) = Float64Reference.savedStatistics(inputs, indexing: indexing, options: options)
        let actual = try backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                          statistics: .batch(mean: mean, invStd: invStd), options: options)
        let expected = Float64Reference.backward(dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                 mean: mean.map(Double.init), invStd: invStd.map(Double.init),
                                                 usesBatchStatistics: true)
        expectGradientsClose(actual, (expected.dx, expected.dGamma, expected.dBeta), scales: expected,
                             tolerance: tolerance, "\(testCase) \(mode) on \(name)", indexing: indexing)
    }

    /// The backward pass with frozen running statistics.
    func backwardFrozen(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil,
                        seed: UInt64 = 2015) throws {
        let inputs = TestInputs(testCase, mode: mode, seed: seed)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = options ?? BatchNormOptions(mode: mode)
        let actual = try backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                          statistics: .running(inputs.running), options: options)
        let expected = Float64Reference.backwardFrozen(
            dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma, running: inputs.running,
            epsilon: options.epsilon)
        expectGradientsClose(actual, (expected.dx, expected.dGamma, expected.dBeta), scales: expected,
                             tolerance: tolerance, "\(testCase) \(mode), frozen, on \(name)", indexing: indexing)
    }

    /// All four passes.
    func everyPass(testCase: TestCase, mode: NormalizationMode, options: BatchNormOptions? = nil,
                   seed: UInt64 = 2015) throws {
        try forwardTraining(testCase: testCase, mode: mode, options: options, seed: seed)
        try forwardInference(testCase: testCase, mode: mode, options: options, seed: seed)
        try backward(testCase: testCase, mode: mode, options: options, seed: seed)
        try backwardFrozen(testCase: testCase, mode: mode, options: options, seed: seed)
    }
}

/// A shape of the grid (`TestCase.grid`) in one normalization mode: what the pass suites run on each backend.
struct GridCase: Sendable, CustomTestStringConvertible {
    let testCase: TestCase
    let mode: NormalizationMode

    static let all = TestCase.grid.flatMap { testCase in NormalizationMode.allCases.map { GridCase(testCase: testCase, mode: $0) } }

    var testDescription: String { "\(testCase) \(mode)" }
}
