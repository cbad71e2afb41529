import BatchNorm
import BNTestSupport
import Testing

/// Many tasks sharing one backend: every result is, bit for bit, what the same calls give run
/// alone, since the kernels and the CPU reference are deterministic and calls share no state a
/// caller can see. The tasks yield between calls, so that their calls interleave even where the
/// cooperative pool has as few threads as the machine has cores.
@Suite("Concurrency")
struct ConcurrencyTests {
    /// One task's work: its own shape, layout, mode, options and inputs.
    struct Workload: Sendable, CustomStringConvertible {
        var testCase: TestCase
        var options = BatchNormOptions()
        var seed: UInt64

        var description: String { "\(testCase) \(options.mode)" }
    }

    /// Shapes that select different kernel variants on OpenCL: planar one-group-per-feature and
    /// chunked, interleaved at vector widths 1, 2 and 16, and per-activation; with PyTorch's,
    /// Keras's and the cumulative momentum.
    static let workloads: [Workload] = [
        Workload(testCase: TestCase("resident", TensorShape(n: 16, c: 8, h: 8, w: 8)), seed: 1),
        Workload(testCase: TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)), options: .keras(), seed: 2),
        Workload(testCase: TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)), seed: 3),
        Workload(testCase: TestCase("BN1d", TensorShape(n: 33, c: 70)), seed: 4),
        // 600 KB: beyond a CPU's resident budget, so that one interleaved workload runs in chunks
        Workload(testCase: TestCase("BN1d tall", TensorShape(n: 50_000, c: 3)), options: BatchNormOptions(momentum: nil), seed: 5),
        Workload(testCase: TestCase("C = 1", TensorShape(n: 16, c: 1, h: 64, w: 64)), seed: 6),
        Workload(testCase: TestCase("per activation", TensorShape(n: 4, c: 6, h: 5, w: 5, layout: .nhwc)),
                 options: BatchNormOptions(mode: .perActivation), seed: 7),
        Workload(testCase: TestCase("wide rows", TensorShape(n: 4, c: 64, h: 4, w: 4, layout: .nhwc)), seed: 8),
    ]
    /// Rounds of every pass per task: the running statistics carry from one round to the next.
    static let iterations = 3

    /// One output of a call, as bit patterns, so that equality is bitwise and NaN-safe.
    struct Output: Hashable, CustomStringConvertible {
        var label: String
        var bits: [UInt32]

        init(_ label: String, _ values: [Float]) {
            self.label = label
            self.bits = values.map(\.bitPattern)
        }

        var description: String { label }
    }

    /// Every output of `iterations` rounds of every pass, in the array form and the buffer form.
    /// - Parameters:
    ///   - workload: The task's shape, options and seed.
    ///   - backend: The backend, shared with the other tasks.
    /// - Returns: The outputs in call order, each labelled with its round, form and pass.
    static func transcript(_ workload: Workload, on backend: AnyBatchNormBackend) async throws -> [Output] {
        let shape = workload.testCase.shape, options = workload.options
        let inputs = TestInputs(workload.testCase, mode: options.mode, seed: workload.seed)
        var outputs: [Output] = []
        var running = inputs.running
        var step = try TrainingStep(backend: backend, testCase: workload.testCase, options: options, seed: workload.seed)
        let y = try backend.makeBuffer(count: inputs.x.count), dx = try backend.makeBuffer(count: inputs.x.count)
        let dGamma = try backend.makeBuffer(count: inputs.gamma.count), dBeta = try backend.makeBuffer(count: inputs.gamma.count)
        for round in 0..<iterations {
            func record(_ label: String, _ values: [Float]) { outputs.append(Output("round \(round) \(label)", values)) }

            let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                      running: &running, options: options)
            [("y", forward.y), ("mean", forward.mean), ("invStd", forward.invStd), ("running mean", running.mean),
             ("running variance", running.variance)].forEach { record("array forwardTraining \($0)", $1) }
            await Task.yield()
            record("array forwardInference y", try backend.forwardInference(
                x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta, running: running, options: options))
            await Task.yield()
            let gradients = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                 statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
            [("dx", gradients.dx), ("dγ", gradients.dGamma), ("dβ", gradients.dBeta)].forEach { record("array backward \($0)", $1) }
            await Task.yield()
            let frozen = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma,
                                                    statistics: .running(running), options: options)
            [("dx", frozen.dx), ("dγ", frozen.dGamma), ("dβ", frozen.dBeta)].forEach { record("array backwardFrozen \($0)", $1) }
            await Task.yield()

            try step.run()
            zip(["y", "mean", "invStd", "dx", "dγ", "dβ"], try step.outputs()).forEach { record("buffer step \($0)", $1) }
            let stepRunning = try backend.download(step.running)
            record("buffer running mean", stepRunning.mean)
            record("buffer running variance", stepRunning.variance)
            await Task.yield()
            try backend.forwardInference(x: step.x, z: nil, shape: shape, gamma: step.gamma, beta: step.beta, running: step.running,
                                         options: options, y: y)
            record("buffer forwardInference y", try backend.download(y))
            await Task.yield()
            try backend.backward(dy: step.dy, y: nil, x: step.x, shape: shape, gamma: step.gamma, statistics: .running(step.running),
                                       options: options, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
            for (label, buffer) in zip(["dx", "dγ", "dβ"], [dx, dGamma, dBeta]) {
                record("buffer backwardFrozen \(label)", try backend.download(buffer))
            }
            await Task.yield()
        }
        return outputs
    }

    /// Records the first output where `actual` and `expected` differ.
    static func expectIdentical(_ actual: [Output], _ expected: [Output], _ label: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.map(\.label) == expected.map(\.label), "\(label): different calls", sourceLocation: sourceLocation)
        if let (got, wanted) = zip(actual, expected).first(where: { $0 != $1 }) {
            let index = got.bits.indices.first { $0 < wanted.bits.count && got.bits[$0] != wanted.bits[$0] }
            Issue.record("""
                \(label): \(got.label) differs from the sequential run\
                \(index.map { " at \($0): \(Float(bitPattern: got.bits[$0])) instead of \(Float(bitPattern: wanted.bits[$0]))" } ?? "")
                """, sourceLocation: sourceLocation)
        }
    }

    @Test("8 tasks running every pass on one backend get what each gets alone", arguments: BackendKind.available)
    func passes(kind: BackendKind) async throws {
        try await Self.passes(on: kind.make())
    }

    static func passes(on backend: AnyBatchNormBackend) async throws {
        if let openCL = backend.base as? OpenCLBackend {
            let variants = try Set(workloads.map { try openCL.kernelVariant(for: $0.testCase.shape, options: $0.options) })
            #expect(variants.count >= 6, "the workloads select only \(variants.sorted())")
        }
        var sequential: [[Output]] = []
        for workload in workloads {
            sequential.append(try await transcript(workload, on: backend))
        }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Output]).self) { group in
            for (index, workload) in workloads.enumerated() {
                group.addTask { (index, try await transcript(workload, on: backend)) }
            }
            var results = [[Output]](repeating: [], count: workloads.count)
            for try await (index, outputs) in group {
                results[index] = outputs
            }
            return results
        }
        for (index, workload) in workloads.enumerated() {
            #expect(sequential[index].count == iterations * 24)
            expectIdentical(concurrent[index], sequential[index], "\(workload)")
        }
    }

    /// Shapes of one class, so that their calls share kernel objects (and workspace buffers) on
    /// OpenCL: where the lock around setting a kernel's arguments and enqueueing it would be missing,
    /// a call would run with another task's arguments.
    static let sharedVariant = (0..<8).map { TestCase("shared variant", TensorShape(n: 4 + $0, c: 8, h: 4, w: 4)) }

    @Test("8 tasks training on shapes that share kernels get, step after step, what each gets alone",
          arguments: BackendKind.available)
    func sharedKernels(kind: BackendKind) async throws {
        try await Self.sharedKernels(on: kind.make())
    }

    static func sharedKernels(on backend: AnyBatchNormBackend) async throws {
        if let openCL = backend.base as? OpenCLBackend {
            let variants = try Set(sharedVariant.map { try openCL.kernelVariant(for: $0.shape, options: BatchNormOptions()) })
            #expect(variants.count == 1, "the shapes select \(variants.sorted())")
        }
        var expected: [[[Float]]] = []
        for testCase in sharedVariant {
            var step = try TrainingStep(backend: backend, testCase: testCase)
            try step.run()
            expected.append(try step.outputs())
        }
        let reference = expected, steps = 300
        let differing = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, testCase) in sharedVariant.enumerated() {
                group.addTask {
                    var step = try TrainingStep(backend: backend, testCase: testCase)
                    var differing = 0
                    for _ in 0..<steps {
                        try step.run()
                        if try step.outputs() != reference[index] { differing += 1 }
                    }
                    return differing
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(differing == 0, "\(differing) of \(8 * steps) steps differ from the sequential ones")
    }

    @Test("16 tasks making, writing, reading and dropping buffers on one backend each read what they wrote",
          arguments: BackendKind.available)
    func buffers(kind: BackendKind) async throws {
        try await Self.buffers(on: kind.make())
    }

    static func buffers(on backend: AnyBatchNormBackend) async throws {
        let shared = (0..<1000).map { Float($0) / 8 }
        let sharedBuffer = try backend.upload(shared)
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var failures = 0
                    let own = try backend.makeBuffer(count: 64 + task)
                    for iteration in 0..<100 {
                        let values = (0..<(1 + (task * 37 + iteration * 11) % 300)).map { Float(task * 1000 + iteration) + Float($0) / 512 }
                        let uploaded = try backend.upload(values)
                        let made = try backend.makeBuffer(count: values.count)
                        try backend.write(values.reversed(), to: made)
                        let rewritten = (0..<own.count).map { Float(task) - Float(iteration * $0) }
                        try backend.write(rewritten, to: own)
                        await Task.yield()
                        if try backend.download(uploaded) != values { failures += 1 }
                        if try backend.download(made) != values.reversed() { failures += 1 }
                        if try backend.download(own) != rewritten { failures += 1 }
                        if try backend.download(sharedBuffer) != shared { failures += 1 }
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0, "\(failures) downloads differed from what their task wrote")
        try backend.synchronize()
    }
}
