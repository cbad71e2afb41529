import BatchNorm
import BNTestSupport
import Testing

/// The erased backend `makeBackend` returns: every pass forwards to its base with the same bits,
/// the buffers keep their identity through the wrappers, and a buffer of another kind of backend
/// is refused before anything runs (the per-argument sweep of that is `ErrorCaseTests.foreignBuffers`).
@Suite("AnyBatchNormBackend")
struct AnyBatchNormBackendTests {
    /// The concrete backends, each to be run as itself and erased.
    static func bases() throws -> [any SplitPhaseBackend] {
        [CPUBackend()] + (TestBackends.hasOpenCLDevice ? [try TestBackends.openCL()] : [])
    }

    /// Every output of every pass, in one order: the fused training forward pass and its backward
    /// pass, inference, the backward pass with frozen statistics, and a synchronized step's split phases.
    static func outputs<Backend: SplitPhaseBackend>(of backend: Backend, storage: ElementType) async throws -> [[Float]] {
        let shape = TensorShape(n: 6, c: 3, h: 5, w: 7, layout: .nhwc)
        let inputs = TestInputs(TestCase("odd NHWC", shape), mode: .spatial)
        let fused = BatchNormOptions(fusion: .addRelu), plain = BatchNormOptions()
        let count = inputs.x.count
        let x = try backend.upload(inputs.x, as: storage), dy = try backend.upload(inputs.dy, as: storage)
        let z = try backend.upload(inputs.dy.reversed(), as: storage)
        let gamma = try backend.upload(inputs.gamma), beta = try backend.upload(inputs.beta)
        var running = try backend.upload(inputs.running)
        let y = try backend.makeBuffer(count: count, elementType: storage)
        let mean = try backend.makeBuffer(count: 3), invStd = try backend.makeBuffer(count: 3)
        try backend.forwardTraining(x: x, z: z, shape: shape, gamma: gamma, beta: beta, running: &running,
                                    options: fused, y: y, mean: mean, invStd: invStd)
        let dx = try backend.makeBuffer(count: count, elementType: storage)
        let dz = try backend.makeBuffer(count: count, elementType: storage)
        let dGamma = try backend.makeBuffer(count: 3), dBeta = try backend.makeBuffer(count: 3)
        try backend.backward(dy: dy, y: y, x: x, shape: shape, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd),
                             options: fused, dx: dx, dz: dz, dGamma: dGamma, dBeta: dBeta)
        var results = try [y, mean, invStd, running.mean, running.variance, dx, dz, dGamma, dBeta].map(backend.download)
        results.append([Float(running.batchesTracked)])

        let inferred = try backend.makeBuffer(count: count, elementType: storage)
        try backend.forwardInference(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: running,
                                     options: plain, y: inferred)
        try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma, statistics: .running(running),
                             options: plain, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        results += try [inferred, dx, dGamma, dBeta].map(backend.download)

        // The stored bits too, not only their widening.
        results.append(storage == .float16 ? try backend.download(inferred, as: Float16.self).map(Float.init)
                                           : try backend.download(inferred, as: Float.self))
        let communicator = try InProcessCommunicator.group(size: 1)[0]
        let member = try await MemberStep.run(backend: backend, inputs: inputs, shape: shape, rows: 0..<6,
                                              communicator: communicator, options: plain, storage: storage)
        results += [member.y, member.dx] + member.perFeature.sorted { $0.key < $1.key }.map(\.value)
        return results
    }

    @Test("every pass, the split phases too, gives through the erasure the bits of the backend it erases",
          arguments: [ElementType.float32, .float16])
    func sameBits(storage: ElementType) async throws {
        for base in try Self.bases() {
            let own = try await Self.outputs(of: base, storage: storage)
            let erased = try await Self.outputs(of: AnyBatchNormBackend(base), storage: storage)
            #expect(erased.count == own.count)
            for (index, (a, b)) in zip(erased, own).enumerated() {
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(base.name), output \(index)")
            }
        }
    }

    @Test("erasing an erased backend or wrapping a wrapper unwraps first, so `base` is always the backend's own")
    func noNesting() throws {
        let cpu = CPUBackend()
        let twice = AnyBatchNormBackend(AnyBatchNormBackend(cpu))
        #expect(twice.base is CPUBackend)
        let buffer = try cpu.upload([Float](repeating: 1, count: 4))
        let wrapped = AnyBatchNormBuffer(AnyBatchNormBuffer(buffer))
        #expect(wrapped.base === buffer)
        #expect(wrapped.count == 4 && wrapped.elementType == .float32)
        #expect(try twice.download(wrapped) == [1, 1, 1, 1])
    }

    @Test("two wrappers of one buffer are one operand: a pass runs in place through them",
          arguments: BackendKind.available)
    func aliasing(kind: BackendKind) throws {
        let backend = try kind.make()
        let shape = TensorShape(n: 4, c: 2)
        let values: [Float] = [1, -2, 3, 0.5, -1, 2, 4, -3]
        let running = try backend.upload(RunningStatistics(mean: [0.5, -0.25], variance: [2, 3]))
        let x = try backend.upload(values)
        let alias = AnyBatchNormBuffer(x.base)
        let separate = try backend.makeBuffer(count: values.count)
        try backend.forwardInference(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: running,
                                     options: BatchNormOptions(), y: separate)
        try backend.forwardInference(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: running,
                                     options: BatchNormOptions(), y: alias)
        #expect(try backend.download(x) == backend.download(separate))

        // The backward pass in place: dx written over dy through a second wrapper of it.
        let dy = try backend.upload(values), dx = try backend.makeBuffer(count: values.count)
        let dGamma = try backend.makeBuffer(count: 2), dBeta = try backend.makeBuffer(count: 2)
        for output in [dx, AnyBatchNormBuffer(dy.base)] {
            try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: nil, statistics: .running(running),
                                 options: BatchNormOptions(), dx: output, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        #expect(try backend.download(dy) == backend.download(dx))
        #expect(try backend.download(dy) != values)
    }
}
