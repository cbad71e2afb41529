import COpenCL

/// Owns an in-order `cl_command_queue` and releases it in `deinit`. Commands run in the order they
/// are enqueued, so one pass's kernels chain without host waits.
final class CommandQueue: @unchecked Sendable {
    let handle: cl_command_queue
    let isProfilingEnabled: Bool
    /// The context's ledger, which counts this queue and the events it returns.
    let ledger: ResourceLedger

    /// A new in-order queue on the context's device. The corresponding OpenCL call is `clCreateCommandQueue`.
    init(context: Context, isProfilingEnabled: Bool) throws {
        let properties = cl_command_queue_properties(isProfilingEnabled ? CL_QUEUE_PROFILING_ENABLE : 0)
        self.handle = try OpenCLCall.make("clCreateCommandQueue") {
            clCreateCommandQueue(context.handle, context.device.id, properties, $0)
        }
        self.isProfilingEnabled = isProfilingEnabled
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

    /// Copies `values` into `buffer` and returns when the copy is done.
    /// The corresponding OpenCL call is `clEnqueueWriteBuffer`.
    func write(_ values: [Float], to buffer: OpenCLBuffer) throws {
        try values.withUnsafeBytes { bytes in
            try OpenCLCall.check("clEnqueueWriteBuffer") {
                clEnqueueWriteBuffer(handle, buffer.handle, cl_bool(CL_TRUE), 0, bytes.count, bytes.baseAddress, 0, nil, nil)
            }
        }
    }

    /// The contents of `buffer`, after every command enqueued before has finished.
    /// The corresponding OpenCL call is `clEnqueueReadBuffer`.
    func read(_ buffer: OpenCLBuffer) throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: buffer.count) { storage, initialized in
            try OpenCLCall.check("clEnqueueReadBuffer") {
                clEnqueueReadBuffer(handle, buffer.handle, cl_bool(CL_TRUE), 0, buffer.byteCount, storage.baseAddress, 0, nil, nil)
            }
            initialized = buffer.count
        }
    }

    /// Enqueues a kernel over a 1-D or 2-D range; returns its event when `returningEvent`.
    /// The corresponding OpenCL call is `clEnqueueNDRangeKernel`.
    @discardableResult
    func enqueue(_ kernel: Kernel, global: [Int], local: [Int], returningEvent: Bool) throws -> Event? {
        precondition(global.count == local.count && (1...3).contains(global.count), "ranges are planned by LaunchPlan")
        var event: cl_event?
        try withUnsafeMutablePointer(to: &event) { eventAddress in
            try OpenCLCall.check("clEnqueueNDRangeKernel") {
                clEnqueueNDRangeKernel(handle, kernel.handle, cl_uint(global.count), nil, global, local, 0, nil,
                                       returningEvent ? eventAddress : nil)
            }
        }
        return event.map { Event(owning: $0, ledger: ledger) }
    }
}
