import BatchNorm
import BNTestSupport
import Testing

/// BN + ReLU and BN + Add + ReLU against the unfused sequence on the same backend: batch norm, then
/// the activation on the host. Each backend and storage runs its own fused and unfused passes.
///
/// What must hold: the statistics (mean, invStd, running) of a fused training pass are the unfused
/// pass's bit for bit, since the same kernels compute them. The fused backward pass, given the
/// fused output y, equals the unfused backward pass given dy masked by y's sign bit for bit (the
/// same sums of the same values), and dz is that masked dy exactly. The fused y equals
/// relu(y_unfused + z) within the float tolerance (float32: the fused pass adds z before its one
/// rounding, the host after y's; 16-bit: one rounding against two, so up to twice the unit roundoff).
@Suite("Fused ReLU and Add + ReLU equal the unfused sequence", .enabled(if: TestBackends.hasOpenCLDevice))
struct FusionTests {
    static let fusions: [FusedOperation] = [.relu, .addRelu]

    /// A fusion with a storage.
    struct Variant: Sendable, CustomTestStringConvertible {
        var fusion: FusedOperation
        var storage: ElementType
        var testDescription: String { "\(fusion) \(storage)" }
    }

    static let variants = fusions.flatMap { fusion in
        [ElementType.float32, .bfloat16].map { Variant(fusion: fusion, storage: $0) }
    }
    /// Every traversal: planar (chunked and resident), interleaved (NHWC and NC), odd sizes, 3-D.
    static let cases: [TestCase] = [
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)),
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37, layout: .nhwc)),
        TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)),
        TestCase("C = 2048", TensorShape(n: 4, c: 2048, h: 3, w: 3)),
        TestCase("BN1d C = 2050", TensorShape(n: 33, c: 2050)),
        TestCase("m = 2", TensorShape(n: 2, c: 7)),
        TestCase("one channel of 1M values", TensorShape(n: 16, c: 1, h: 256, w: 256)),
        TestCase("3-D", TensorShape(n: 2, c: 3, spatial: [4, 5, 6], layout: .nhwc)),
    ]

    /// The bound on y, as the suite's header says.
    static func yTolerance(_ storage: ElementType) -> Double {
        storage == .float32 ? Tolerance.openCL : 2 * storage.unitRoundoff + Tolerance.openCL
    }

    @Test("training forward and backward", arguments: variants, cases)
    func training(variant: Variant, testCase: TestCase) throws {
        let (fusion, storage) = (variant.fusion, variant.storage)
        try onEachBackend(variant, testCase) { label, inputs, z, fusedPasses, plainPasses in
            let forward = try fusedPasses.forwardTraining(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta,
                                                          running: inputs.running)
            let unfused = try plainPasses.forwardTraining(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta,
                                                          running: inputs.running)
            #expect(forward.mean == unfused.mean && forward.invStd == unfused.invStd, "statistics of \(label)")
            #expect(forward.running == unfused.running, "running statistics of \(label)")
            let expectedY = activation(unfused.y, z: z.map { $0.map(storage.rounded) }, storage: storage)
            expectClose(forward.y, expectedY, tolerance: Self.yTolerance(storage), "y of \(label)")
            #expect(forward.y.allSatisfy { !($0 < 0) }, "relu left a negative value in \(label)")

            let backward = try fusedPasses.backward(dy: inputs.dy, y: forward.y, x: inputs.x, gamma: inputs.gamma,
                                                    statistics: .batch(mean: forward.mean, invStd: forward.invStd))
            let masked = mask(inputs.dy.map(storage.rounded), by: forward.y)
            let expected = try plainPasses.backward(dy: masked, y: nil, x: inputs.x, gamma: inputs.gamma,
                                                    statistics: .batch(mean: forward.mean, invStd: forward.invStd))
            expectSameGradients(backward, expected, masked: masked, fusion: fusion, label)
        }
    }

    @Test("inference forward and frozen backward", arguments: variants, cases)
    func inference(variant: Variant, testCase: TestCase) throws {
        let (fusion, storage) = (variant.fusion, variant.storage)
        try onEachBackend(variant, testCase) { label, inputs, z, fusedPasses, plainPasses in
            let y = try fusedPasses.forwardInference(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta,
                                                     running: inputs.running)
            let unfused = try plainPasses.forwardInference(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta,
                                                           running: inputs.running)
            expectClose(y, activation(unfused, z: z.map { $0.map(storage.rounded) }, storage: storage),
                        tolerance: Self.yTolerance(storage), "y of \(label)")

            let backward = try fusedPasses.backward(dy: inputs.dy, y: y, x: inputs.x, gamma: inputs.gamma,
                                                          statistics: .running(inputs.running))
            let masked = mask(inputs.dy.map(storage.rounded), by: y)
            let expected = try plainPasses.backward(dy: masked, y: nil, x: inputs.x, gamma: inputs.gamma,
                                                          statistics: .running(inputs.running))
            expectSameGradients(backward, expected, masked: masked, fusion: fusion, label)
        }
    }

    @Test("each backend's fused passes against float64", arguments: fusions, [TestCase.grid[2], TestCase.grid[3]])
    func againstFloat64(fusion: FusedOperation, testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let z = fusion.addsInput ? secondInput(like: inputs.x) : nil
        let options = BatchNormOptions(fusion: fusion)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        let plain = Float64Reference.forwardTraining(x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                     beta: inputs.beta, running: inputs.running, options: BatchNormOptions())
        let expectedY = plain.y.indices.map { max(0, plain.y[$0] + Double(z?[$0] ?? 0)) }
        for (backend, (forward, backward)) in try onBothBackends(storage: .float32, shape: testCase.shape, options: options, { passes in
            let forward = try passes.forwardTraining(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta,
                                                     running: inputs.running)
            return (forward, try passes.backward(dy: inputs.dy, y: forward.y, x: inputs.x, gamma: inputs.gamma,
                                                 statistics: .batch(mean: forward.mean, invStd: forward.invStd)))
        }) {
            let label = "\(fusion) \(testCase) on \(backend)"
            let tolerance = backend == "cpu" ? Tolerance.cpuReference : Tolerance.openCL
            // relu(a) − relu(b) is at most a − b, so y at the kink holds the bound too
            expectClose(forward.y, expectedY, tolerance: tolerance, "y of \(label)", locate: indexing.describe(index:))
            // each backend's gradient is masked by its own y, and so is the reference's
            let masked = mask(inputs.dy, by: forward.y)
            let reference = Float64Reference.backward(dy: masked, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                      mean: forward.mean.map(Double.init),
                                                      invStd: forward.invStd.map(Double.init), usesBatchStatistics: true)
            expectGradientsClose(BackwardResult(dx: backward.dx, dGamma: backward.dGamma, dBeta: backward.dBeta),
                                 (reference.dx, reference.dGamma, reference.dBeta), scales: reference,
                                 tolerance: tolerance, label, indexing: indexing)
            #expect(backward.dz == (fusion.addsInput ? masked : nil), "dz of \(label)")
        }
    }

    @Test("a NaN passes relu forward, and its dy passes the mask, as in PyTorch")
    func nanPasses() throws {
        let shape = TensorShape(n: 4, c: 2)
        let x: [Float] = [1, .nan, -1, 2, 3, 4, -5, 6]
        let options = BatchNormOptions(fusion: .relu)
        for (backend, result) in try onBothBackends(storage: .float32, shape: shape, options: options, { passes in
            try passes.forwardInference(x: x, z: nil, gamma: [1, 1], beta: [0, 0],
                                        running: RunningStatistics(mean: [0, 0], variance: [1, 1]))
        }) {
            #expect(result[1].isNaN && result[2] == 0 && result[0] > 0, "on \(backend)")
        }
        let y: [Float] = [1, .nan, 0, -0.0, 2, 3, 4, 5]
        for (backend, result) in try onBothBackends(storage: .float32, shape: shape, options: options, { passes in
            try passes.backward(dy: [Float](repeating: 1, count: 8), y: y, x: x.map { $0.isNaN ? 0 : $0 },
                                      gamma: [1, 1], statistics: .running(RunningStatistics(mean: [0, 0], variance: [1, 1])))
        }) {
            // dx = dy·γ·invStd where the output is above 0 or NaN, else 0
            #expect(result.dx.map { $0 != 0 } == [true, true, false, false, true, true, true, true], "on \(backend)")
        }
    }

    // MARK: helpers

    /// Runs `body` on the CPU reference and on OpenCL with the case's inputs, z when the fusion adds
    /// one, the fused passes and the plain ones, and a label naming the variant, case and backend.
    private func onEachBackend(
        _ variant: Variant, _ testCase: TestCase,
        _ body: (_ label: String, _ inputs: TestInputs, _ z: [Float]?, _ fused: any StoredPassRunning,
                 _ plain: any StoredPassRunning) throws -> Void
    ) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let z = variant.fusion.addsInput ? secondInput(like: inputs.x) : nil
        let (shape, storage) = (testCase.shape, variant.storage)
        let fused = BatchNormOptions(fusion: variant.fusion), plain = BatchNormOptions()
        let openCL = try TestBackends.openCL()
        try body("\(variant) \(testCase) on cpu", inputs, z,
                 StoredPasses(CPUBackend(), storage: storage, shape: shape, options: fused),
                 StoredPasses(CPUBackend(), storage: storage, shape: shape, options: plain))
        try body("\(variant) \(testCase) on opencl", inputs, z,
                 StoredPasses(openCL, storage: storage, shape: shape, options: fused),
                 StoredPasses(openCL, storage: storage, shape: shape, options: plain))
    }

    /// A residual input of x's size: standard normal, so that y + z changes sign often.
    private func secondInput(like x: [Float]) -> [Float] {
        var random = SeededGenerator(seed: 1512)
        return random.normals(x.count)
    }

    /// relu(y + z) in float, rounded to the storage, as an unfused elementwise kernel computes it.
    private func activation(_ y: [Float], z: [Float]?, storage: ElementType) -> [Float] {
        y.indices.map { index in
            let sum = y[index] + (z?[index] ?? 0)
            return storage.rounded(sum < 0 ? 0 : sum)
        }
    }

    private func mask(_ dy: [Float], by y: [Float]) -> [Float] {
        zip(dy, y).map { gradient, output in output <= 0 ? 0 : gradient }
    }

    private func expectSameGradients(_ fused: StoredBackward, _ unfused: StoredBackward, masked: [Float],
                                     fusion: FusedOperation, _ label: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        expectIdentical(fused.dx, unfused.dx, "dx of \(label)", sourceLocation: sourceLocation)
        expectIdentical(fused.dGamma, unfused.dGamma, "dγ of \(label)", sourceLocation: sourceLocation)
        expectIdentical(fused.dBeta, unfused.dBeta, "dβ of \(label)", sourceLocation: sourceLocation)
        #expect((fused.dz == nil) != fusion.addsInput, "dz of \(label)", sourceLocation: sourceLocation)
        if let dz = fused.dz { expectIdentical(dz, masked, "dz of \(label)", sourceLocation: sourceLocation) }
    }

    /// Records the first element where the arrays differ in bits (NaN matching NaN), and how many do.
    private func expectIdentical(_ actual: [Float], _ expected: [Float], _ label: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        let differing = actual.indices.filter {
            actual[$0].bitPattern != expected[$0].bitPattern && !(actual[$0].isNaN && expected[$0].isNaN)
        }
        guard actual.count == expected.count, let first = differing.first else {
            if actual.count != expected.count {
                Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
            }
            return
        }
        Issue.record("\(label): \(differing.count) of \(actual.count) values differ, the first at \(first): \(actual[first]) against \(expected[first])",
                     sourceLocation: sourceLocation)
    }
}
