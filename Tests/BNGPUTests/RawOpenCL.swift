@testable import BNGPU
import BNTestSupport
import COpenCL

/// OpenCL objects a test makes itself through the C API, as an engine that drives OpenCL would:
/// a context, a queue and buffers, released in `deinit`. The reference counts say whether a backend
/// that used them left them as it found them.
final class RawOpenCL {
    struct Failure: Error, CustomStringConvertible {
        var function: String
        var status: cl_int
        var description: String { "\(function) returned \(status)" }
    }

    let device: cl_device_id
    let context: cl_context
    let queue: cl_command_queue
    private var memories: [cl_mem] = []

    /// A context on the tests' OpenCL device and a queue on it.
    /// - Parameter isOutOfOrder: Make the queue out of order, as engines that overlap commands do.
    init(isOutOfOrder: Bool = false) throws {
        var device: cl_device_id? = try Device.select(TestBackends.deviceQuery).id
        var status: cl_int = CL_SUCCESS
        let context = clCreateContext(nil, 1, &device, nil, nil, &status)
        try Self.check("clCreateContext", status)
        let properties = cl_command_queue_properties(isOutOfOrder ? CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE : 0)
        let queue = clCreateCommandQueue(context, device, properties, &status)
        if status != CL_SUCCESS { clReleaseContext(context) }
        try Self.check("clCreateCommandQueue", status)
        self.device = device!
        self.context = context!
        self.queue = queue!
    }

    deinit {
        for memory in memories { clReleaseMemObject(memory) }
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    /// A new buffer of `floats` floats, filled with `value`.
    func makeMemory(floats: Int, filledWith value: Float) throws -> cl_mem {
        var status: cl_int = CL_SUCCESS
        // filled from the host as it is made, so that no command is in flight afterwards
        var fill = [Float](repeating: value, count: floats)
        let memory = fill.withUnsafeMutableBytes {
            clCreateBuffer(context, cl_mem_flags(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR), floats * 4, $0.baseAddress,
                           &status)
        }
        try Self.check("clCreateBuffer", status)
        memories.append(memory!)
        return memory!
    }

    /// Writes `values` from element `offset` and waits.
    func write(_ values: [Float], to memory: cl_mem, at offset: Int) throws {
        let status = values.withUnsafeBytes {
            clEnqueueWriteBuffer(queue, memory, cl_bool(CL_TRUE), offset * 4, $0.count, $0.baseAddress, 0, nil, nil)
        }
        try Self.check("clEnqueueWriteBuffer", status)
    }

    /// Reads `count` floats from element `offset` after `events`.
    func read(_ memory: cl_mem, at offset: Int, count: Int, after events: [cl_event?] = []) throws -> [Float] {
        var values = [Float](repeating: .nan, count: count)
        let status = values.withUnsafeMutableBytes { bytes in
            events.withUnsafeBufferPointer { list in
                clEnqueueReadBuffer(queue, memory, cl_bool(CL_TRUE), offset * 4, bytes.count, bytes.baseAddress,
                                    cl_uint(list.count), list.isEmpty ? nil : list.baseAddress, nil)
            }
        }
        try Self.check("clEnqueueReadBuffer", status)
        return values
    }

    /// The reference counts of the context, the queue and each buffer (a driver may count its own
    /// references too, such as a queue's on its context), once the queue's commands have finished.
    /// A driver may hold a finished command's references a moment longer (see
    /// ``referenceCounts(settlingTo:)``).
    func referenceCounts() throws -> [cl_uint] {
        try Self.check("clFinish", clFinish(queue))
        var counts = [try Self.count { clGetContextInfo(context, cl_context_info(CL_CONTEXT_REFERENCE_COUNT), 4, $0, nil) },
                      try Self.count { clGetCommandQueueInfo(queue, cl_command_queue_info(CL_QUEUE_REFERENCE_COUNT), 4, $0, nil) }]
        for memory in memories {
            counts.append(try Self.count { clGetMemObjectInfo(memory, cl_mem_info(CL_MEM_REFERENCE_COUNT), 4, $0, nil) })
        }
        return counts
    }

    /// The reference counts once five readings 10 ms apart agree (or after two seconds): PoCL holds
    /// a command's references until it retires the command on its own thread, and keeps one more
    /// on a queue that has run commands, so the counts settle a moment after the queue is idle.
    func stableReferenceCounts() async throws -> [cl_uint] {
        var counts = try referenceCounts(), agreeing = 1
        for _ in 0..<200 where agreeing < 5 {
            try await Task.sleep(for: .milliseconds(10))
            let next = try referenceCounts()
            agreeing = next == counts ? agreeing + 1 : 1
            counts = next
        }
        return counts
    }

    /// The reference counts once they equal `expected`, or after two seconds, whatever they are then:
    /// a driver releases a finished command's references on its own threads (PoCL after an event
    /// callback has returned, for instance), so a count can stay high a moment after the last
    /// reference the library held is gone. A leak stays high and fails the comparison.
    func referenceCounts(settlingTo expected: [cl_uint]) async throws -> [cl_uint] {
        var counts = try referenceCounts()
        for _ in 0..<200 where counts != expected {
            try await Task.sleep(for: .milliseconds(10))
            counts = try referenceCounts()
        }
        return counts
    }

    private static func count(_ query: (UnsafeMutableRawPointer) -> cl_int) throws -> cl_uint {
        var value: cl_uint = 0
        try check("clGet*Info", withUnsafeMutableBytes(of: &value) { query($0.baseAddress!) })
        return value
    }

    static func check(_ function: String, _ status: cl_int) throws {
        if status != CL_SUCCESS { throw Failure(function: function, status: status) }
    }
}
