import BatchNorm

/// Measures rows on one OpenCL backend, checking each against the CPU reference.
struct Benchmark {
    /// The backend timed; made with profiling enabled.
    let backend: OpenCLBackend
    /// The oracle and the baseline of the speedup column.
    let reference = CPUBackend()
    /// The batch-norm options of every call: PyTorch's defaults, `.spatial` mode.
    let options = BatchNormOptions()
    /// How long each loop runs.
    let timing: TimingPlan
    /// The copy ceiling in GB/s.
    let copyGBps: Double

    /// Measures one pass on one fixture: checks it, then times the buffer form's kernels, the array
    /// form's wall time, and the CPU reference's.
    /// - Parameters:
    ///   - benchCase: The row.
    ///   - fixture: Its shape, layout and inputs.
    /// - Returns: The row.
    /// - Throws: ``BatchNormError`` from either backend.
    func measure(_ benchCase: BenchCase, on fixture: ShapeFixture) throws -> BenchmarkRow {
        let workload = try PassWorkload.make(benchCase.pass, on: fixture, options: options)
        let variant = try backend.kernelVariant(for: fixture.shape, options: options)

        // The check; these first calls also warm up (OpenCL builds its programs on first use).
        let expected = try workload.arrayCall(reference)
        let actual = try workload.arrayCall(backend)
        let error = zip(actual, expected).map { ErrorMetric.worst($0, $1).error }.max() ?? .nan

        let kernel = try measureKernels(workload)
        let wall = try timing.wall.collect { try Stopwatch.time { _ = try workload.arrayCall(backend) } }
        let referenceWall = try timing.reference.collect { try Stopwatch.time { _ = try workload.arrayCall(reference) } }
        return BenchmarkRow(
            benchCase: benchCase, backend: backend.name, variant: variant, kernel: kernel, wall: wall,
            reference: referenceWall, maxRelativeError: error,
            bytesCounted: benchCase.pass.tensorsCounted * MemoryLayout<Float>.size * benchCase.spec.elementCount,
            copyGBps: copyGBps)
    }

    /// Uploads once, runs the buffer form once untimed, then times its kernels.
    private func measureKernels(_ workload: PassWorkload) throws -> Samples {
        let call = try workload.prepareBufferCall(backend)
        _ = try backend.measureKernelTime(call)
        return try timing.kernel.collect { try backend.measureKernelTime(call) }
    }
}
