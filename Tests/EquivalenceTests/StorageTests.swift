import BatchNorm
import BNTestSupport
import Testing

/// Half and bfloat16 storage: both backends against a float64 reference computed from the rounded
/// inputs (x and dy as stored), pass by pass over the suite's grid.
///
/// The bound: every statistic, parameter gradient and running value is float32, computed from the
/// stored inputs as from any float inputs, so it holds the float32 tolerance (`Tolerance.openCL`).
/// A 16-bit output (y, dx) is its float32 value rounded once to nearest, which adds at most the
/// type's unit roundoff u relative to it (2⁻¹¹ for half, 2⁻⁸ for bfloat16): so it holds u plus the
/// float32 tolerance, each element judged at the magnitude the reference gives it, and never below the
/// type's smallest normal magnitude (2⁻¹⁴ for half): below it the spacing of representable values is
/// absolute, so a tiny dx carries up to half of 2⁻²⁴ however small it is. A store that
/// truncated instead of rounding would err by up to 2u and fail; one that skipped the rounding
/// entirely would pass y but fail the exact storage checks in `roundTrip`.
@Suite("Half and bfloat16 storage against float64", .enabled(if: TestBackends.hasOpenCLDevice))
struct StorageTests {
    static let storages: [ElementType] = [.float16, .bfloat16]

    /// The bound of a 16-bit output, as the suite's header says.
    static func outputTolerance(_ storage: ElementType) -> Double {
        storage.unitRoundoff + Tolerance.openCL
    }

    @Test("training forward", arguments: storages, TestCase.grid)
    func forwardTraining(storage: ElementType, testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let options = BatchNormOptions()
        let x = inputs.x.map(storage.rounded)
        let reference = Float64Reference.forwardTraining(x: x, indexing: indexing, gamma: inputs.gamma, beta: inputs.beta,
                                                         running: inputs.running, options: options)
        for (name, result) in try onBothBackends(storage: storage, shape: testCase.shape, options: options, { passes in
            try passes.forwardTraining(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        }) {
            let label = "\(storage) \(testCase) on \(name)"
            expectClose(result.y, reference.y, tolerance: Self.outputTolerance(storage), "y of \(label)",
                        locate: indexing.describe(index:))
            expectClose(result.mean, reference.mean, scale: reference.standardDeviation, tolerance: Tolerance.openCL,
                        "mean of \(label)")
            expectClose(result.invStd, reference.invStd, scale: zeros(indexing.featureCount), tolerance: Tolerance.openCL,
                        "invStd of \(label)")
            expectClose(result.running.mean, reference.running.mean, scale: reference.runningMeanScale,
                        tolerance: Tolerance.openCL, "running mean of \(label)")
            expectClose(result.running.variance, reference.running.variance, scale: zeros(indexing.featureCount),
                        tolerance: Tolerance.openCL, "running variance of \(label)")
            #expect(result.y.allSatisfy { storage.rounded($0).bitPattern == $0.bitPattern || $0.isNaN },
                    "y of \(label) holds values its storage cannot")
        }
    }

    @Test("inference forward", arguments: storages, TestCase.grid)
    func forwardInference(storage: ElementType, testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let options = BatchNormOptions()
        let reference = Float64Reference.forwardInference(x: inputs.x.map(storage.rounded), indexing: indexing,
                                                          gamma: inputs.gamma, beta: inputs.beta,
                                                          running: inputs.running, options: options)
        for (name, y) in try onBothBackends(storage: storage, shape: testCase.shape, options: options, { passes in
            try passes.forwardInference(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        }) {
            expectClose(y, reference, tolerance: Self.outputTolerance(storage), "y of \(storage) \(testCase) on \(name)",
                        locate: indexing.describe(index:))
        }
    }

    @Test("backward with batch statistics", arguments: storages, TestCase.grid)
    func backward(storage: ElementType, testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let options = BatchNormOptions()
        let x = inputs.x.map(storage.rounded), dy = inputs.dy.map(storage.rounded)
        var rounded = inputs
        rounded.x = x
        let (mean, invStd) = Float64Reference.savedStatistics(rounded, indexing: indexing, options: options)
        let reference = Float64Reference.backward(dy: dy, x: x, indexing: indexing, gamma: inputs.gamma,
                                                  mean: mean.map(Double.init), invStd: invStd.map(Double.init),
                                                  usesBatchStatistics: true)
        for (name, result) in try onBothBackends(storage: storage, shape: testCase.shape, options: options, { passes in
            try passes.backward(dy: inputs.dy, y: nil, x: inputs.x, gamma: inputs.gamma, statistics: .batch(mean: mean, invStd: invStd))
        }) {
            expectGradients(result, reference, storage: storage, "\(storage) \(testCase) on \(name)", indexing: indexing)
        }
    }

    @Test("backward with frozen statistics", arguments: storages, TestCase.grid)
    func backwardFrozen(storage: ElementType, testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let options = BatchNormOptions()
        let reference = Float64Reference.backwardFrozen(
            dy: inputs.dy.map(storage.rounded), x: inputs.x.map(storage.rounded), indexing: indexing, gamma: inputs.gamma,
            running: inputs.running, epsilon: options.epsilon)
        for (name, result) in try onBothBackends(storage: storage, shape: testCase.shape, options: options, { passes in
            try passes.backward(dy: inputs.dy, y: nil, x: inputs.x, gamma: inputs.gamma, statistics: .running(inputs.running))
        }) {
            expectGradients(result, reference, storage: storage, "\(storage) \(testCase) frozen on \(name)", indexing: indexing)
        }
    }

    @Test("a stored tensor round-trips bit for bit, and rounds to nearest even", arguments: storages)
    func roundTrip(storage: ElementType) throws {
        // With u the unit roundoff, the neighbours of 1 are 1 and 1 + 2u: the ties 1 + u and 1 + 3u
        // round to the even ones, 1 and 1 + 4u.
        let u = Float(storage.unitRoundoff)
        let values: [Float] = [1, 1 + u, 1 + 3 * u, -2.5, 0, -0.0, .infinity, .nan, 65504, 3.0e-5]
        let expected = values.map(storage.rounded)
        #expect(expected[1] == 1 && expected[2] == 1 + 4 * u, "ties go to even")
        for (name, download) in try backendDownloads(values, storage: storage) {
            #expect(download.map(\.bitPattern) == expected.map(\.bitPattern) || zip(download, expected).allSatisfy {
                $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
            }, "\(storage) on \(name)")
        }
    }

    // MARK: helpers

    private func expectGradients(_ result: StoredBackward, _ reference: Float64Reference.Backward,
                                 storage: ElementType, _ label: String, indexing: TensorIndexing,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let floor = storage == .float16 ? Double(Float16.leastNormalMagnitude) : 0
        expectClose(result.dx, reference.dx, scale: reference.dxScale.map { max($0, floor) },
                    tolerance: Self.outputTolerance(storage),
                    "dx of \(label)", locate: indexing.describe(index:), sourceLocation: sourceLocation)
        expectClose(result.dGamma, reference.dGamma, scale: reference.dGammaScale, tolerance: Tolerance.openCL,
                    "dγ of \(label)", sourceLocation: sourceLocation)
        expectClose(result.dBeta, reference.dBeta, scale: reference.dBetaScale, tolerance: Tolerance.openCL,
                    "dβ of \(label)", sourceLocation: sourceLocation)
    }

    private func backendDownloads(_ values: [Float], storage: ElementType) throws -> [(String, [Float])] {
        let cpu = CPUBackend(), openCL = try TestBackends.openCL()
        return [("cpu", try cpu.download(try cpu.upload(values, as: storage))),
                ("opencl", try openCL.download(try openCL.upload(values, as: storage)))]
    }

    private func zeros(_ count: Int) -> [Double] {
        [Double](repeating: 0, count: count)
    }
}
