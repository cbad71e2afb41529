import BNCore
import BNLayer
@testable import BNGPU
import BNTestSupport
import Testing

/// Every OpenCL wrapper a backend makes is released: counted by the ledger of the backend's own
/// context, so suites running in parallel do not disturb the counts.
@Suite("Live OpenCL objects", .enabled(if: TestBackends.hasOpenCLDevice))
struct ResourceLedgerTests {
    typealias Counts = ResourceLedger.Counts

    static let nchw = TestCase("odd sizes", TensorShape(n: 5, c: 3, h: 13, w: 11))
    static let nhwc = TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc))

    /// A backend of its own, with profiling so that measurements make events.
    static func makeBackend() throws -> OpenCLBackend {
        try OpenCLBackend(device: Device.select(TestBackends.deviceQuery), isProfilingEnabled: true, forcesWideIndices: false)
    }

    /// A backend of its own that has run every array-form pass on `cases`, so that the programs and
    /// kernels those shapes need are built before a test takes its counts.
    static func warmBackend(_ cases: [TestCase] = [nchw]) throws -> (backend: OpenCLBackend, ledger: ResourceLedger) {
        let backend = try makeBackend()
        for testCase in cases { try arrayPasses(backend, testCase) }
        return (backend, backend.context.ledger)
    }

    /// Every array-form pass once: each makes and drops its own buffers.
    static func arrayPasses(_ backend: OpenCLBackend, _ testCase: TestCase) throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let shape = testCase.shape, options = BatchNormOptions()
        var running = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                                  running: &running, options: options)
        _ = try backend.forwardInference(x: inputs.x, shape: shape, gamma: inputs.gamma, beta: inputs.beta,
                                         running: running, options: options)
        _ = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma, statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
        _ = try backend.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: inputs.gamma, statistics: .running(running),
                                       options: options)
    }

    @Test("a dropped backend and its buffers leave no wrapper alive, after many steps of every kind")
    func droppedBackend() throws {
        let ledger: ResourceLedger
        do {
            let backend = try Self.makeBackend()
            ledger = backend.context.ledger
            #expect(ledger.counts == Counts(contexts: 1, queues: 1))
            var steps = [try TrainingStep(backend: backend, testCase: Self.nchw),
                         try TrainingStep(backend: backend, testCase: Self.nhwc)]
            for iteration in 0..<300 {
                try steps[iteration % 2].run()
                if iteration % 50 == 0 {
                    try Self.arrayPasses(backend, iteration % 100 == 0 ? Self.nchw : Self.nhwc)
                    var step = steps[0]
                    #expect(try backend.measureKernelTime { try step.run() } > 0)
                    #expect(try backend.measureCopy(count: 1000, repetitions: 2).count == 2)
                }
            }
            try backend.synchronize()
            let live = ledger.counts
            #expect(live.contexts == 1 && live.queues == 1 && live.programs > 0 && live.kernels > 0)
            #expect(live.events == 0, "the measurements' events outlived them")
            // The steps' 2 × 12 buffers, the running statistics included, and the workspace's at most 4
            // (partial sums; per feature, the mean's low part, invStd and invStd's low part).
            #expect((24...28).contains(live.buffers), "\(live)")
        }
        #expect(ledger.counts == Counts(), "alive after the backend was dropped: \(ledger.counts)")
    }

    @Test("a live backend's count after a loop of steps is its count before, once the loop's buffers are gone")
    func loopAllocatesNothingItKeeps() throws {
        let (backend, ledger) = try Self.warmBackend([Self.nchw, Self.nhwc])
        let before = ledger.counts
        do {
            var steps = [try TrainingStep(backend: backend, testCase: Self.nchw),
                         try TrainingStep(backend: backend, testCase: Self.nhwc)]
            try steps[0].run()
            try steps[1].run()
            let warm = ledger.counts
            #expect(warm.buffers == before.buffers + 24)
            for iteration in 0..<200 {
                try steps[iteration % 2].run()
                // The workspace is reused, not grown per step: nothing new lives after a step.
                #expect(ledger.counts == warm, "step \(iteration)")
            }
            for testCase in [Self.nchw, Self.nhwc] {
                try Self.arrayPasses(backend, testCase)
                #expect(ledger.counts == warm)
            }
            try backend.synchronize()
        }
        #expect(ledger.counts == before, "before the loop: \(before); after: \(ledger.counts)")
    }

    @Test("a BatchNormLayer keeps buffers for two batch shapes at most, and a dropped layer frees them all")
    func layerBuffers() throws {
        let (backend, ledger) = try Self.warmBackend()
        let before = ledger.counts
        do {
            let layer = try BatchNormLayer(backend: backend, features: 3)
            // γ, β, the running mean and variance, dγ and dβ.
            #expect(ledger.counts.buffers == before.buffers + 6)
            let shapes = [TensorShape(n: 4, c: 3), TensorShape(n: 7, c: 3), TensorShape(n: 2, c: 3, h: 2, w: 2)]
            var counts = [Int]()
            for round in 0..<12 {
                let shape = shapes[round % 3]
                let count = shape.dimensions.reduce(1, *)
                _ = try layer.forward((0..<count).map { Float($0 % 5) }, shape: shape)
                _ = try layer.backward([Float](repeating: 0.5, count: count))
                try backend.synchronize()
                counts.append(ledger.counts.buffers)
            }
            // Per kept shape: x, y, dy, dx, mean and invStd; two shapes kept, whichever came last.
            #expect(counts.dropFirst(2).allSatisfy { $0 == before.buffers + 6 + 2 * 6 }, "\(counts)")
        }
        // Programs and kernels built for the new shapes stay with the backend, as they do for any call.
        let after = ledger.counts
        #expect(after.buffers == before.buffers && after.events == 0, "alive after the layer was dropped: \(after)")
    }

    @Test("a failed call and a failed build release what they made")
    func failures() throws {
        let (backend, ledger) = try Self.warmBackend()
        let before = ledger.counts
        let inputs = TestInputs(Self.nchw, mode: .spatial)
        var running = inputs.running
        let fault = OpenCLCall.Fault(function: "clEnqueueNDRangeKernel", status: .outOfResources)
        OpenCLCall.$injectedFault.withValue(fault) {
            #expect(throws: BatchNormError.self) {
                try backend.forwardTraining(x: inputs.x, shape: Self.nchw.shape, gamma: nil, beta: nil, running: &running,
                                            options: BatchNormOptions())
            }
        }
        #expect(ledger.counts == before)
        #expect(throws: BatchNormError.self) {
            try Program(context: backend.context, source: "kernel void broken(global float* x) { x[0] = undeclared; }",
                        options: "", name: "broken")
        }
        #expect(ledger.counts == before, "a program that failed to build is still alive")
    }

    @Test("wrappers made and released by many tasks at once are all counted out")
    func concurrentTasks() async throws {
        let (backend, ledger) = try Self.warmBackend()
        let before = ledger.counts
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for iteration in 0..<50 {
                        let values = (0..<(17 + task * 5 + iteration)).map { Float($0 * task) }
                        let buffer = try backend.upload(values)
                        #expect(try backend.download(buffer) == values)
                        if iteration % 10 == 0 { try Self.arrayPasses(backend, Self.nchw) }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        try backend.synchronize()
        #expect(ledger.counts == before)
    }
}
