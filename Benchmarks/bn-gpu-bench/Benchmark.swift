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
    /// Whether `--settings` overrides the tuning of every row.
    var isOverridden = false

    /// Measures one pass on one fixture: checks it, then times the buffer form's kernels, the round
    /// trip's wall time (upload, kernels, download, as the array form does), and the CPU reference's.
    /// - Parameters:
    ///   - benchCase: The row.
    ///   - fixture: Its shape, layout and inputs, stored as `benchCase.storage`.
    /// - Returns: The row.
    /// - Throws: ``BatchNormError`` from either backend.
    func measure(_ benchCase: BenchCase, on fixture: ShapeFixture) throws -> BenchmarkRow {
        var options = options
        options.renormalization = benchCase.normalization.renormalization
        let workload = try PassWorkload.make(benchCase.pass, on: fixture, options: options,
                                             activation: benchCase.activation)
        // The check; these first calls also warm up (OpenCL builds its programs on first use) and,
        // on a class's first use, search its launch settings, so the variant and origin are read after.
        let expected = try workload.arrayCall(reference)
        let actual = try workload.arrayCall(backend)
        let variant = try backend.kernelVariant(for: fixture.shape, options: options, elementType: benchCase.storage)
        let settings = isOverridden ? "--settings" : try backend.tuningOrigin(for: fixture.shape, options: options).label
        let error = zip(actual, expected).map { ErrorMetric.worst($0, $1).error }.max() ?? .nan

        let kernel = try measureKernels(workload)
        let wall = try timing.wall.collect { try Stopwatch.time { _ = try workload.arrayCall(backend) } }
        let referenceWall = try timing.reference.collect { try Stopwatch.time { _ = try workload.arrayCall(reference) } }
        let tensors = benchCase.pass.tensorsCounted(with: benchCase.activation.operation)
        return BenchmarkRow(
            benchCase: benchCase, backend: backend.name, variant: variant, settings: settings, kernel: kernel, wall: wall,
            reference: referenceWall, maxRelativeError: error, tolerance: Self.tolerance(for: benchCase),
            bytesCounted: tensors * benchCase.storage.byteCount * benchCase.spec.elementCount,
            copyGBps: copyGBps)
    }

    /// The largest error a row may have against the CPU reference. With `Float` tensors, what the
    /// tests allow (`ErrorMetric.openCLTolerance`). With 16-bit tensors, each output element is that
    /// plus the rounding to 8 or 11 significant bits: the device's float result and the reference's
    /// double one can round to neighbouring values, one unit in the last place apart, at most 2u of
    /// the value (u = ``ElementType/unitRoundoff``). An unfused add-relu's forward pass rounds bn(x)
    /// before adding z, and a neighbour there moves relu(bn(x) + z) by up to 2u·|bn(x)| more: with
    /// |bn(x)| below 8 for the bench's inputs (6 standard deviations, γ ≤ 1.4, |β| < 0.5) and the
    /// output's root mean square about 1 (the metric's scale), 2u·(1 + 8) = 18u. Both stay far below
    /// the errors of order 1 that a wrong index or formula gives.
    /// - Parameter benchCase: The row: its storage, pass and activation.
    /// - Returns: The tolerance.
    static func tolerance(for benchCase: BenchCase) -> Double {
        let storage = benchCase.storage, activation = benchCase.activation
        guard storage != .float32 else { return ErrorMetric.openCLTolerance }
        let roundsTwice = activation.isUnfused && activation.operation.addsInput && !benchCase.pass.isBackward
        return Double(roundsTwice ? 18 : 2) * storage.unitRoundoff + ErrorMetric.openCLTolerance
    }

    /// Uploads once, runs the buffer form once untimed, then times its kernels.
    private func measureKernels(_ workload: PassWorkload) throws -> Samples {
        let call = try workload.prepareBufferCall(backend)
        _ = try backend.measureKernelTime(call)
        return try timing.kernel.collect { try backend.measureKernelTime(call) }
    }
}
