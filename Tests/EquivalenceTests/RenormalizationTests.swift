import BatchNorm
import BNTestSupport
import Testing

/// Batch Renormalization (`Renormalization`) on every backend and kernel path, against the tests'
/// float64 renorm (`Float64Reference.renormalizedTraining`, written from the paper's definitions):
/// the training pass's y, statistics, r, d and running statistics over the grid in both modes, the
/// backward pass with r and d held fixed, the fused activations and 16-bit storage; and the limits
/// rMax 1, dMax 0, which must give batch norm bit for bit on every path, storage and fusion.
/// Central differences check the renormalized gradient formulas themselves (GradientCheckTests).
@Suite("Batch Renormalization against float64, and batch norm bit for bit at rMax 1, dMax 0")
struct RenormalizationTests {
    /// Limits that the suite's inputs hit and miss: σ_B/σ spans about [0.3, 3] and
    /// |μ_B − running mean|/σ about [0, 3] (`TestInputs`), so some features are clipped in r, some
    /// in d, and some in neither (`limitsClipSomeFeatures` holds the inputs to that).
    static let limits = Renormalization(rMax: 2, dMax: 1)

    /// A case's inputs, with running statistics that have tracked batches (renorm compares with them).
    static func inputs(_ testCase: TestCase, mode: NormalizationMode, seed: UInt64 = 2015) -> TestInputs {
        var inputs = TestInputs(testCase, mode: mode, seed: seed)
        inputs.running.batchesTracked = 10
        return inputs
    }

    static func options(_ mode: NormalizationMode, limits: Renormalization = limits,
                        fusion: FusedOperation = .none) -> BatchNormOptions {
        BatchNormOptions(mode: mode, fusion: fusion, renormalization: limits)
    }

    @Test("the suite's limits clip r and d on some features and not on others")
    func limitsClipSomeFeatures() {
        let testCase = TestCase("C = 2048", TensorShape(n: 4, c: 2048, h: 3, w: 3))
        let inputs = Self.inputs(testCase, mode: .spatial)
        let reference = Float64Reference.renormalizedTraining(
            x: inputs.x, indexing: TensorIndexing(shape: testCase.shape, mode: .spatial), gamma: inputs.gamma,
            beta: inputs.beta, running: inputs.running, options: Self.options(.spatial), limits: Self.limits)
        let rMax = Double(Self.limits.rMax), dMax = Double(Self.limits.dMax)
        #expect(reference.r.contains(rMax) && reference.r.contains(1 / rMax))
        #expect(reference.r.contains { $0 > 1 / rMax && $0 < rMax && $0 != 1 })
        #expect(reference.d.contains(dMax) && reference.d.contains(-dMax))
        #expect(reference.d.contains { abs($0) < dMax && $0 != 0 })
    }

    @Test("renormalized training: y, statistics, r, d and running statistics", arguments: BackendKind.everyPath, GridCase.all)
    func training(kind: BackendKind, gridCase: GridCase) throws {
        let (testCase, mode) = (gridCase.testCase, gridCase.mode)
        let checks = try PassChecks(kind)
        let inputs = Self.inputs(testCase, mode: mode)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        let options = Self.options(mode)
        let label = "\(testCase) \(mode) on \(kind)"
        var running = inputs.running
        guard indexing.valuesPerFeature > 1 else { return }
        let actual = try checks.backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                        beta: inputs.beta, running: &running, options: options)
        let expected = Float64Reference.renormalizedTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                             beta: inputs.beta, running: inputs.running,
                                                             options: options, limits: Self.limits)
        let relative = [Double](repeating: 0, count: indexing.featureCount)
        let tolerance = checks.tolerance
        expectClose(actual.y, expected.forward.y, tolerance: tolerance, "y of \(label)", locate: indexing.describe(index:))
        expectClose(actual.mean, expected.forward.mean, scale: expected.forward.standardDeviation, tolerance: tolerance,
                    "mean of \(label)")
        expectClose(actual.invStd, expected.forward.invStd, scale: relative, tolerance: tolerance, "invStd of \(label)")
        let corrections = try #require(actual.corrections, "no r and d from \(label)")
        expectClose(corrections.r, expected.r, scale: relative, tolerance: tolerance, "r of \(label)")
        expectClose(corrections.d, expected.d, scale: expected.dScale, tolerance: tolerance, "d of \(label)")
        expectClose(running.mean, expected.forward.running.mean, scale: expected.forward.runningMeanScale,
                    tolerance: tolerance, "running mean of \(label)")
        expectClose(running.variance, expected.forward.running.variance, scale: relative, tolerance: tolerance,
                    "running variance of \(label)")
        #expect(running.batchesTracked == inputs.running.batchesTracked + 1, "batches tracked of \(label)")
    }

    @Test("renormalized backward with r and d held fixed", arguments: BackendKind.everyPath, GridCase.all)
    func backward(kind: BackendKind, gridCase: GridCase) throws {
        let (testCase, mode) = (gridCase.testCase, gridCase.mode)
        let checks = try PassChecks(kind)
        let inputs = Self.inputs(testCase, mode: mode)
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        guard indexing.valuesPerFeature > 1 else { return }
        let options = Self.options(mode)
        let saved = Float64Reference.renormalizedTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                          beta: inputs.beta, running: inputs.running,
                                                          options: options, limits: Self.limits)
        let mean = saved.forward.mean.map(Float.init), invStd = saved.forward.invStd.map(Float.init)
        let r = saved.r.map(Float.init), d = saved.d.map(Float.init)
        let actual = try checks.backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                 statistics: .renormalized(mean: mean, invStd: invStd, r: r, d: d),
                                                 options: options)
        let expected = Float64Reference.renormalizedBackward(
            dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma, invStd: invStd.map(Double.init),
            r: r.map(Double.init), d: d.map(Double.init))
        expectGradientsClose(actual, (expected.dx, expected.dGamma, expected.dBeta), scales: expected,
                             tolerance: checks.tolerance, "renormalized \(testCase) \(mode) on \(kind)", indexing: indexing)
    }

    /// Every traversal: planar (resident and chunked), interleaved (NHWC and NC), odd sizes.
    static let pathCases: [TestCase] = [
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)),
        TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)),
        TestCase("BN1d C = 2050", TensorShape(n: 33, c: 2050)),
    ]

    @Test("fused ReLU and Add + ReLU of a renormalized pass against float64", arguments: BackendKind.everyPath,
          [FusedOperation.relu, .addRelu])
    func fused(kind: BackendKind, fusion: FusedOperation) throws {
        let checks = try PassChecks(kind)
        for testCase in Self.pathCases {
            let inputs = Self.inputs(testCase, mode: .spatial)
            let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
            let options = Self.options(.spatial, fusion: fusion)
            let z = fusion.addsInput ? inputs.dy : nil
            var running = inputs.running
            let actual = try checks.backend.forwardTraining(x: inputs.x, z: z, shape: testCase.shape, gamma: inputs.gamma,
                                                            beta: inputs.beta, running: &running, options: options)
            let expected = Float64Reference.renormalizedTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                                 beta: inputs.beta, running: inputs.running,
                                                                 options: options, limits: Self.limits)
            let y = expected.forward.y.indices.map { max(0, expected.forward.y[$0] + Double(z?[$0] ?? 0)) }
            expectClose(actual.y, y, tolerance: checks.tolerance, "\(fusion) y of \(testCase) on \(kind)",
                        locate: indexing.describe(index:))
            // the fused backward masks dy by y's sign, then is the renormalized backward of the masked dy
            let gradient = try checks.backend.backward(dy: inputs.dy, y: actual.y, x: inputs.x, shape: testCase.shape,
                                                       gamma: inputs.gamma, statistics: actual.statistics, options: options)
            let masked = zip(inputs.dy, actual.y).map { $1 <= 0 ? 0 : $0 }
            let reference = Float64Reference.renormalizedBackward(
                dy: masked, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                invStd: actual.invStd.map(Double.init), r: actual.corrections!.r.map(Double.init),
                d: actual.corrections!.d.map(Double.init))
            expectGradientsClose(gradient, (reference.dx, reference.dGamma, reference.dBeta), scales: reference,
                                 tolerance: checks.tolerance, "\(fusion) \(testCase) on \(kind)", indexing: indexing)
            if fusion.addsInput { #expect(gradient.dz == masked, "dz of \(fusion) \(testCase) on \(kind)") }
        }
    }

    @Test("16-bit storage of a renormalized pass against float64 of the stored inputs",
          arguments: BackendKind.everyPath, [ElementType.float16, .bfloat16])
    func storage(kind: BackendKind, storage: ElementType) throws {
        let checks = try PassChecks(kind)
        for testCase in Self.pathCases {
            let inputs = Self.inputs(testCase, mode: .spatial)
            let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
            let options = Self.options(.spatial)
            let label = "\(storage) \(testCase) on \(kind)"
            var running = inputs.running
            let actual = try checks.backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                            beta: inputs.beta, running: &running, options: options,
                                                            storage: storage)
            let x = inputs.x.map(storage.rounded), dy = inputs.dy.map(storage.rounded)
            let expected = Float64Reference.renormalizedTraining(x: x, indexing: indexing, gamma: inputs.gamma,
                                                                 beta: inputs.beta, running: inputs.running,
                                                                 options: options, limits: Self.limits)
            // a 16-bit output adds its one rounding to the float tolerance (StorageTests says why)
            let outputTolerance = storage.unitRoundoff + checks.tolerance
            expectClose(actual.y, expected.forward.y, tolerance: outputTolerance, "y of \(label)",
                        locate: indexing.describe(index:))
            let corrections = try #require(actual.corrections)
            let relative = [Double](repeating: 0, count: indexing.featureCount)
            expectClose(corrections.r, expected.r, scale: relative, tolerance: checks.tolerance, "r of \(label)")
            expectClose(corrections.d, expected.d, scale: expected.dScale, tolerance: checks.tolerance, "d of \(label)")
            let gradient = try checks.backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape,
                                                       gamma: inputs.gamma, statistics: actual.statistics,
                                                       options: options, storage: storage)
            let reference = Float64Reference.renormalizedBackward(
                dy: dy, x: x, indexing: indexing, gamma: inputs.gamma, invStd: actual.invStd.map(Double.init),
                r: corrections.r.map(Double.init), d: corrections.d.map(Double.init))
            expectClose(gradient.dx, reference.dx, scale: reference.dxScale, tolerance: outputTolerance, "dx of \(label)",
                        locate: indexing.describe(index:))
            expectClose(gradient.dGamma, reference.dGamma, scale: reference.dGammaScale, tolerance: checks.tolerance,
                        "dγ of \(label)")
        }
    }

    @Test("rMax 1 and dMax 0 are batch norm bit for bit, with r = 1 and d = 0",
          arguments: BackendKind.everyPath, [ElementType.float32, .float16, .bfloat16])
    func batchNormLimits(kind: BackendKind, storage: ElementType) throws {
        let backend = try kind.make()
        for testCase in Self.pathCases + [TestCase("m = 2", TensorShape(n: 2, c: 7))] {
            for fusion in [FusedOperation.none, .relu, .addRelu] {
                let inputs = Self.inputs(testCase, mode: .spatial)
                let label = "\(fusion) \(storage) \(testCase) on \(kind)"
                let plain = BatchNormOptions(fusion: fusion)
                let renorm = Self.options(.spatial, limits: .batchNorm, fusion: fusion)
                let z = fusion.addsInput ? inputs.dy.reversed() as [Float] : nil
                var plainRunning = inputs.running, renormRunning = inputs.running
                let expected = try backend.forwardTraining(x: inputs.x, z: z, shape: testCase.shape, gamma: inputs.gamma,
                                                           beta: inputs.beta, running: &plainRunning, options: plain,
                                                           storage: storage)
                let actual = try backend.forwardTraining(x: inputs.x, z: z, shape: testCase.shape, gamma: inputs.gamma,
                                                         beta: inputs.beta, running: &renormRunning, options: renorm,
                                                         storage: storage)
                #expect(actual.y.map(\.bitPattern) == expected.y.map(\.bitPattern), "y of \(label)")
                #expect(actual.mean == expected.mean && actual.invStd == expected.invStd, "statistics of \(label)")
                #expect(renormRunning == plainRunning, "running statistics of \(label)")
                let corrections = try #require(actual.corrections)
                #expect(corrections.r.allSatisfy { $0 == 1 } && corrections.d.allSatisfy { $0 == 0 }, "r, d of \(label)")
                let y = fusion == .none ? nil : actual.y
                let plainGradient = try backend.backward(dy: inputs.dy, y: y, x: inputs.x, shape: testCase.shape,
                                                         gamma: inputs.gamma, statistics: expected.statistics,
                                                         options: plain, storage: storage)
                let renormGradient = try backend.backward(dy: inputs.dy, y: y, x: inputs.x, shape: testCase.shape,
                                                          gamma: inputs.gamma, statistics: actual.statistics,
                                                          options: renorm, storage: storage)
                #expect(renormGradient.dx.map(\.bitPattern) == plainGradient.dx.map(\.bitPattern), "dx of \(label)")
                #expect(renormGradient.dGamma == plainGradient.dGamma && renormGradient.dBeta == plainGradient.dBeta,
                        "dγ, dβ of \(label)")
                #expect(renormGradient.dz == plainGradient.dz, "dz of \(label)")
            }
        }
    }
}
