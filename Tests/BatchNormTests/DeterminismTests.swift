import BatchNorm
import BNTestSupport
import Testing

/// The same input gives the same bits: on repeated calls of one OpenCL backend and on a second one
/// (another context on the same device), for every pass, on the default and the chunked launch
/// settings. The reductions add in a fixed order with no atomics, so nothing depends on scheduling.
/// The CPU reference runs sequentially, so it cannot fail this and is not run.
@Suite("The same input gives the same bits")
struct DeterminismTests {
    static let cases: [TestCase] = [
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)),
        TestCase("many planes", TensorShape(n: 64, c: 8, h: 16, w: 16)),
        TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)),
        TestCase("BN1d", TensorShape(n: 333, c: 70)),
    ]

    static let arguments = BackendKind.everyPath.filter { $0 != .cpu }.flatMap { kind in cases.map { (kind, $0) } }

    @Test("every pass, three calls on one backend and one on another", arguments: arguments)
    func repeated(kind: BackendKind, testCase: TestCase) throws {
        let first = try kind.make(), second = try kind.makeAnother()
        let reference = try Self.outputs(of: first, testCase)
        for (run, outputs) in [("second call", try Self.outputs(of: first, testCase)),
                               ("third call", try Self.outputs(of: first, testCase)),
                               ("another backend", try Self.outputs(of: second, testCase))] {
            for (name, values) in outputs {
                #expect(values.map(\.bitPattern) == reference[name]?.map(\.bitPattern), "\(name) differs on the \(run)")
            }
        }
    }

    /// Every output of every pass, by name.
    static func outputs(of backend: some BatchNormBackend, _ testCase: TestCase) throws -> [String: [Float]] {
        let shape = testCase.shape
        let inputs = TestInputs(testCase, mode: .spatial)
        let options = BatchNormOptions()
        var running = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                  running: &running, options: options)
        let inference = try backend.forwardInference(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                     running: running, options: options)
        let backward = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                            statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
        let frozen = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                statistics: .running(running), options: options)
        return ["y": forward.y, "mean": forward.mean, "invStd": forward.invStd, "running.mean": running.mean,
                "running.variance": running.variance, "inference y": inference,
                "dx": backward.dx, "dγ": backward.dGamma, "dβ": backward.dBeta,
                "frozen dx": frozen.dx, "frozen dγ": frozen.dGamma, "frozen dβ": frozen.dBeta]
    }
}
