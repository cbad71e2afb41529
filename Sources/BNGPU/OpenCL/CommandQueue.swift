import COpenCL

/// Owns a reference to a `cl_command_queue` and releases it in `deinit`: a queue the backend made
/// (in order), or a caller's, retained and never finished (`clFinish`) by the library.
final class CommandQueue: @unchecked Sendable {
    let handle: cl_command_queue
    let isProfilingEnabled: Bool
    /// Commands may run out of enqueue order: every command then waits on the events it depends on.
    let isOutOfOrder: Bool
    /// The queue is the caller's: the library waits for its own commands' events, never for the queue.
    let isBorrowed: Bool
    /// The context's ledger, which counts this queue and the events it returns.
    let ledger: ResourceLedger

    /// A new in-order queue on the context's device. The corresponding OpenCL call is `clCreateCommandQueue`.
    init(context: Context, isProfilingEnabled: Bool) throws {
        let properties = cl_command_queue_properties(isProfilingEnabled ? CL_QUEUE_PROFILING_ENABLE : 0)
        self.handle = try OpenCLCall.make("clCreateCommandQueue") {
            clCreateCommandQueue(context.handle, context.device.id, properties, $0)
        }
        self.isProfilingEnabled = isProfilingEnabled
        self.isOutOfOrder = false
        self.isBorrowed = false
        self.ledger = context.ledger
        ledger.opened(.queue)
    }

    /// A caller's queue of `context`, retained. The corresponding OpenCL calls are
    /// `clGetCommandQueueInfo` and `clRetainCommandQueue`.
    init(retaining handle: cl_command_queue, context: Context) throws {
        let properties = try InfoQuery.scalar("clGetCommandQueueInfo", as: cl_command_queue_properties.self) {
            clGetCommandQueueInfo(handle, cl_command_queue_info(CL_QUEUE_PROPERTIES), $0, $1, $2)
        }
        try OpenCLCall.check("clRetainCommandQueue") { clRetainCommandQueue(handle) }
        self.handle = handle
        self.isProfilingEnabled = properties & cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE) != 0
        self.isOutOfOrder = properties & cl_command_queue_properties(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) != 0
        self.isBorrowed = true
        self.ledger = context.ledger
        ledger.opened(.queue)
    }

    deinit {
        ledger.closed(.queue)
        let status = clReleaseCommandQueue(handle)
        assert(status == CL_SUCCESS, "clReleaseCommandQueue failed: \(OpenCLStatus(rawValue: status))")
    }

    /// Waits until every enqueued command has finished. The corresponding OpenCL call is `clFinish`.
    func finish() throws {
        try OpenCLCall.check("clFinish") { clFinish(handle) }
    }

    /// Submits the enqueued commands to the device. The corresponding OpenCL call is `clFlush`.
    func flush() throws {
        try OpenCLCall.check("clFlush") { clFlush(handle) }
    }

    /// Copies `values` into the first floats of `buffer` once `events` have completed, and returns
    /// when the copy is done. The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    func write<Element: BitwiseCopyable>(_ values: [Element], to buffer: OpenCLBuffer,
                                         waitingFor events: [OpenCLEvent] = []) throws {
        precondition(MemoryLayout<Element>.stride == buffer.elementType.byteCount, "checked by the backend")
        try values.withUnsafeBytes { bytes in
            try Self.withWaitList(events) { count, list in
                try OpenCLCall.check("clEnqueueWriteBuffer") {
                    clEnqueueWriteBuffer(handle, buffer.handle, cl_bool(CL_TRUE), buffer.byteOffset, bytes.count,
                                         bytes.baseAddress, count, list, nil)
                }
            }
        }
    }

    /// The contents of `buffer`, once `events` and, on an in-order queue, every command enqueued
    /// before have finished. The corresponding OpenCL call is `clEnqueueReadBuffer`.
    func read<Element: BitwiseCopyable>(_ buffer: OpenCLBuffer, as type: Element.Type = Float.self,
                                        waitingFor events: [OpenCLEvent] = []) throws -> [Element] {
        precondition(MemoryLayout<Element>.stride == buffer.elementType.byteCount, "checked by the backend")
        return try [Element](unsafeUninitializedCapacity: buffer.count) { storage, initialized in
            try Self.withWaitList(events) { count, list in
                try OpenCLCall.check("clEnqueueReadBuffer") {
                    clEnqueueReadBuffer(handle, buffer.handle, cl_bool(CL_TRUE), buffer.byteOffset, buffer.byteCount,
                                        storage.baseAddress, count, list, nil)
                }
            }
            initialized = buffer.count
        }
    }

    /// Enqueues a kernel over a 1-D or 2-D range once `events` have completed; returns its event
    /// when `returningEvent`. The corresponding OpenCL call is `clEnqueueNDRangeKernel`.
    @discardableResult
    func enqueue(_ kernel: Kernel, global: [Int], local: [Int], waitingFor events: [OpenCLEvent] = [],
                 returningEvent: Bool) throws -> OpenCLEvent? {
        precondition(global.count == local.count && (1...3).contains(global.count), "ranges are planned by LaunchPlan")
        var event: cl_event?
        try withUnsafeMutablePointer(to: &event) { eventAddress in
            try Self.withWaitList(events) { count, list in
                try OpenCLCall.check("clEnqueueNDRangeKernel") {
                    clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil, global, local, count, list,
                                           returningEvent ? eventAddress : nil)
                }
            }
        }
        return event.map { OpenCLEvent(owning: $0, ledger: ledger) }
    }

    /// Enqueues a marker that completes once `events` have (every earlier command, with none).
    /// The corresponding OpenCL call is `clEnqueueMarkerWithWaitList`.
    func enqueueMarker(waitingFor events: [OpenCLEvent]) throws -> OpenCLEvent {
        let event = try Self.withWaitList(events) { count, list in
            try OpenCLCall.make("clEnqueueMarkerWithWaitList") { status -> cl_event? in
                var event: cl_event?
                status.pointee = clEnqueueMarkerWithWaitList(handle, count, list, &event)
                return event
            }
        }
        return OpenCLEvent(owning: event, ledger: ledger)
    }

    /// Calls `body` with a wait list's length and handles (NULL when empty, as OpenCL requires).
    private static func withWaitList<Result>(
        _ events: [OpenCLEvent], _ body: (cl_uint, UnsafePointer<cl_event?>?) throws -> Result
    ) rethrows -> Result {
        let handles: [cl_event?] = events.map(\.handle)
        return try withExtendedLifetime(events) {
            try handles.withUnsafeBufferPointer { list in
                try body(cl_uint(list.count), list.isEmpty ? nil : list.baseAddress)
            }
        }
    }
}
