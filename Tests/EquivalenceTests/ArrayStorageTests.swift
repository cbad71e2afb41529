import BatchNorm
import BNTestSupport
import Testing

/// The array forms' `storage:` against the buffer forms on stored tensors (``StoredPasses``, which
/// the storage suite holds to float64): the same pass on the same stored inputs, so every output
/// must have the same bits. An array form that ignored `storage:` would compute in float32 and
/// differ in y and dx; one that rounded its outputs again would not, but the storage suite checks
/// the rounding itself.
@Suite("Array forms with 16-bit storage", .enabled(if: TestBackends.hasOpenCLDevice))
struct ArrayStorageTests {
    @Test("every pass gives the buffer form's bits", arguments: [ElementType.float16, .bfloat16], TestCase.grid)
    func matchesBufferForm(storage: ElementType, testCase: TestCase) throws {
        try check(CPUBackend(), named: "cpu", storage: storage, testCase: testCase)
        try check(try TestBackends.openCL(), named: "opencl", storage: storage, testCase: testCase)
    }

    private func check<Backend: BatchNormBackend>(_ backend: Backend, named name: String, storage: ElementType,
                                                  testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let shape = testCase.shape, options = BatchNormOptions()
        let label = "\(storage) \(testCase) on \(name)"
        let stored = StoredPasses(backend, storage: storage, shape: shape, options: options)
        let expected = try stored.forwardTraining(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta,
                                                  running: inputs.running)
        var running = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                  running: &running, options: options, storage: storage)
        #expect(bits(forward.y) == bits(expected.y), "training y of \(label)")
        #expect(bits(forward.mean) == bits(expected.mean) && bits(forward.invStd) == bits(expected.invStd),
                "statistics of \(label)")
        #expect(running == expected.running, "running statistics of \(label)")

        let inference = try backend.forwardInference(x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                     beta: inputs.beta, running: inputs.running, options: options,
                                                     storage: storage)
        #expect(bits(inference) == bits(try stored.forwardInference(x: inputs.x, z: nil, gamma: inputs.gamma,
                                                                     beta: inputs.beta, running: inputs.running)),
                "inference y of \(label)")

        let statistics: [BackwardStatistics<[Float]>] = [.batch(mean: expected.mean, invStd: expected.invStd),
                                                         .running(inputs.running)]
        for statistic in statistics {
            let gradients = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                 statistics: statistic, options: options, storage: storage)
            let reference = try stored.backward(dy: inputs.dy, y: nil, x: inputs.x, gamma: inputs.gamma,
                                                statistics: statistic)
            #expect(bits(gradients.dx) == bits(reference.dx) && bits(gradients.dGamma) == bits(reference.dGamma)
                        && bits(gradients.dBeta) == bits(reference.dBeta),
                    "backward with \(statistic) statistics of \(label)")
        }
    }

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
}
