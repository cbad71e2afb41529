import BNCore

extension OpenCLBackend {
    /// Runs `body` and returns the device time of the kernels it enqueued on this backend, summed,
    /// from OpenCL profiling events (uploads, downloads and host work are not counted). Kernels that
    /// other tasks enqueue on this backend meanwhile are counted too.
    /// - Parameter body: The work to time, such as one forward pass on buffers.
    /// - Returns: Seconds of kernel execution.
    /// - Throws: `BatchNormError.invalidOption` when the backend was made
    ///   without `isProfilingEnabled`; whatever `body` throws; or a device error. The corresponding
    ///   OpenCL call is `clGetEventProfilingInfo`.
    package func measureKernelTime(_ body: () throws -> Void) throws -> Double {
        guard isProfilingEnabled else {
            throw BatchNormError.invalidOption(name: "isProfilingEnabled", value: "false",
                                               reason: "kernel times need a backend made with isProfilingEnabled: true")
        }
        runner.withLock { $0.recordedEvents = [] }
        let events: [OpenCLEvent]
        do {
            try body()
            events = runner.withLock { runner in
                defer { runner.recordedEvents = nil }
                return runner.recordedEvents ?? []
            }
        } catch {
            runner.withLock { $0.recordedEvents = nil }
            throw error
        }
        return Double(try events.reduce(UInt64(0)) { $0 + (try $1.elapsedNanoseconds()) }) / 1e9
    }

    /// Times the device copying `count` floats from one buffer to another with the `bn_copy`
    /// kernel: the bandwidth ceiling every pass is compared with. The kernel walks memory as the
    /// elementwise kernels do, with the settings this backend uses for the largest planar shapes.
    /// The source is filled first: an untouched buffer can map every page to one shared page of
    /// zeros, which reads from cache and would overstate the ceiling. Needs `isProfilingEnabled`.
    /// - Parameters:
    ///   - count: Floats to copy.
    ///   - repetitions: Timed copies, after one untimed warm-up.
    /// - Returns: Seconds per copy, one entry per repetition; bytes moved are 2 × 4 × count (read and write).
    /// - Throws: `BatchNormError` when profiling is off, the buffers cannot be allocated, or the device fails.
    package func measureCopy(count: Int, repetitions: Int) throws -> [Double] {
        let floats = max(count, 1)
        let source = try upload((0..<floats).map { Float($0 % 1009) })
        let destination = try makeBuffer(count: floats)
        try enqueueCopy(from: source, to: destination, count: floats)
        try synchronize()
        return try (0..<max(repetitions, 1)).map { _ in
            try measureKernelTime { try enqueueCopy(from: source, to: destination, count: floats) }
        }
    }

    /// Enqueues `bn_copy` of the first `count` floats of `source` into `destination`, split as the
    /// activation kernels split a flat array (`KernelRunner.runFlat`): work-groups of the settings'
    /// elementwise columns, side by side on neighbouring vectors, which is how the elementwise kernels
    /// of the largest planar shapes walk their planes.
    func enqueueCopy(from source: OpenCLBuffer, to destination: OpenCLBuffer, count: Int) throws {
        try runner.withLock { runner in
            try runner.runFlat(.copy, count: count, storage: .float32, forcesWideIndices: false) {
                .copy(source: source, destination: destination, count: count, block: $0)
            }
        }
    }
}

/// The call of `bn_copy.cl`'s kernel.
extension KernelCall {
    static func copy(source: OpenCLBuffer, destination: OpenCLBuffer, count: Int, block: Int) -> KernelCall {
        KernelCall(.copy, [
            "source": .buffer(source), "destination": .buffer(destination), "count_arg": .size(count),
            "block": .size(block),
        ])
    }
}
