import BNCore
@testable import BNGPU
import BNTestSupport
import COpenCL
import Testing

/// The backend inside an engine: the engine's context, queue and buffers, made by the test through
/// the C API, with every operand at an offset that is no multiple of a vector width.
@Suite("The caller's OpenCL objects", .enabled(if: TestBackends.hasOpenCLDevice))
struct CallerObjectsTests {
    static let cases = [
        TestCase("planar, odd planes", TensorShape(n: 3, c: 5, h: 7, w: 9)),
        TestCase("interleaved", TensorShape(n: 9, c: 12)),
        TestCase("channels last", TensorShape(n: 4, c: 8, h: 3, w: 5, layout: .nhwc)),
    ]

    enum Chain: String, CaseIterable, CustomTestStringConvertible {
        /// enqueue… with wait lists, one host wait at the end.
        case events
        /// The async forms, one after another.
        case async
        var testDescription: String { rawValue }
    }

    @Test("a chain of passes on the caller's queue and buffers equals the synchronous calls, bit for bit",
          arguments: cases, [false, true])
    func chainEqualsSynchronousCalls(testCase: TestCase, isOutOfOrder: Bool) async throws {
        for chain in Chain.allCases {
            let raw = try RawOpenCL(isOutOfOrder: isOutOfOrder)
            let outcome = try await EngineRun(raw: raw, testCase: testCase).run(chain)
            let expected = try EngineRun.synchronousReference(testCase)
            for (name, values) in expected {
                #expect(outcome.results[name] == values, "\(name) of \(testCase), \(chain), out of order: \(isOutOfOrder)")
            }
            #expect(outcome.untouchedGaps, "a pass wrote outside its operand's region")
            // the backend and its buffers are gone: the caller's objects hold the references they held before
            #expect(outcome.referenceCounts.after == outcome.referenceCounts.before)
            #expect(outcome.referenceCounts.before.count == 3)
        }
    }

    @Test("the backend waits for its own commands, never for the caller's queue")
    func synchronizeLeavesTheCallersWorkAlone() throws {
        let raw = try RawOpenCL()
        let backend = try OpenCLBackend(retaining: raw.context, queue: raw.queue)
        let shape = TensorShape(n: 4, c: 3)
        let memory = try raw.makeMemory(floats: 64, filledWith: 1)
        let x = try backend.buffer(retaining: memory, offset: 1, count: 12)
        let y = try backend.buffer(retaining: memory, offset: 20, count: 12)
        var running = RunningStatisticsBuffers(mean: try backend.upload([0, 0, 0]), variance: try backend.upload([1, 1, 1]))
        let done = try backend.forwardInference(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: running,
                                                       options: BatchNormOptions(), y: y, waitingFor: [])
        try done.wait()
        // the caller's next command waits for a user event nobody has signalled yet: clFinish would hang
        var status: cl_int = CL_SUCCESS
        let gate = try #require(clCreateUserEvent(raw.context, &status))
        defer { clReleaseEvent(gate) }
        var waitList: [cl_event?] = [gate]
        var marker: cl_event?
        try RawOpenCL.check("clEnqueueMarkerWithWaitList", clEnqueueMarkerWithWaitList(raw.queue, 1, &waitList, &marker))
        try RawOpenCL.check("clFlush", clFlush(raw.queue))
        try backend.synchronize()
        try RawOpenCL.check("clSetUserEventStatus", clSetUserEventStatus(gate, CL_COMPLETE))
        try RawOpenCL.check("clWaitForEvents", clWaitForEvents(1, &marker))
        clReleaseEvent(marker)
        running.batchesTracked = 0
    }

    @Test("the caller's objects are checked before anything is enqueued")
    func mismatchedObjectsThrow() throws {
        let raw = try RawOpenCL(), other = try RawOpenCL()
        let backend = try OpenCLBackend(retaining: raw.context, queue: raw.queue)
        let memory = try raw.makeMemory(floats: 10, filledWith: 0)
        #expect(throws: BatchNormError.memoryRegionOutOfBounds(offset: 3, count: 8, capacity: 10)) {
            try backend.buffer(retaining: memory, offset: 3, count: 8)
        }
        #expect(throws: BatchNormError.memoryRegionOutOfBounds(offset: -1, count: 2, capacity: 10)) {
            try backend.buffer(retaining: memory, offset: -1, count: 2)
        }
        #expect(throws: BatchNormError.invalidBufferCount(0)) { try backend.buffer(retaining: memory, offset: 0, count: 0) }
        #expect(throws: BatchNormError.foreignBuffer(argument: "memory")) {
            try backend.buffer(retaining: try other.makeMemory(floats: 10, filledWith: 0), count: 10)
        }
        #expect {
            try OpenCLBackend(retaining: raw.context, queue: other.queue)
        } throws: { error in
            if case BatchNormError.incompatibleOpenCLObjects = error { return true }
            return false
        }

        // an event of another context in the wait list: refused, and y keeps what it held
        let foreignEvent = try OpenCLEvent(retaining: try #require(clCreateUserEvent(other.context, nil)))
        clReleaseEvent(foreignEvent.handle)
        let x = try backend.buffer(retaining: memory, offset: 1, count: 4)
        let y = try backend.buffer(retaining: memory, offset: 5, count: 4)
        try raw.write([1, 2, 3, 4], to: memory, at: 1)
        let running = RunningStatisticsBuffers(mean: try backend.upload([0, 0]), variance: try backend.upload([1, 1]))
        #expect {
            try backend.forwardInference(x: x, z: nil, shape: TensorShape(n: 2, c: 2), gamma: nil, beta: nil,
                                                running: running, options: BatchNormOptions(), y: y,
                                                waitingFor: [foreignEvent])
        } throws: { error in
            if case BatchNormError.incompatibleOpenCLObjects = error { return true }
            return false
        }
        #expect(try raw.read(memory, at: 5, count: 4) == [0, 0, 0, 0])
        try OpenCLCall.check("clSetUserEventStatus") { clSetUserEventStatus(foreignEvent.handle, CL_COMPLETE) }
    }

    @Test("a failed command resumes the awaiting task with the error")
    func failedEventThrowsFromCompletion() async throws {
        let raw = try RawOpenCL()
        var status: cl_int = CL_SUCCESS
        let event = try OpenCLEvent(retaining: try #require(clCreateUserEvent(raw.context, &status)))
        clReleaseEvent(event.handle)
        let completion = Task { try await event.completion() }
        try RawOpenCL.check("clSetUserEventStatus", clSetUserEventStatus(event.handle, -9999))
        await #expect(throws: BatchNormError.self) { try await completion.value }
    }
}
