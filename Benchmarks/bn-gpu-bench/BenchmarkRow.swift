import BatchNorm

/// What one row measures: a shape in one layout, one pass.
struct BenchCase: Sendable {
    /// The shape as the command line writes it.
    let spec: ShapeSpec
    /// `.nc` for a 2-D shape, else `.nchw` or `.nhwc`.
    let layout: TensorLayout
    /// The pass.
    let pass: PassKind
    /// How the tensors are stored (`--dtype`).
    var storage = ElementType.float32
    /// The activation, fused or not (`--fuse`).
    var activation = RowActivation.none
    /// Batch norm or Batch Renormalization (`--normalization`).
    var normalization = NormalizationChoice.batch

    /// Reads as `32x256x56x56 nchw backward`, for progress lines, then the storage, the activation
    /// and renorm when the row has them: `32x256x56x56 nchw backward f16 relu-unfused renorm`.
    var label: String {
        "\(spec) \(layout.rawValue) \(pass.rawValue)" + (storage == .float32 ? "" : " \(storage.shortName)")
            + (activation == .none ? "" : " \(activation.reportName)")
            + (normalization == .batch ? "" : " \(normalization.rawValue)")
    }
}

/// One measured row of the report. Times are in seconds; the reports convert.
struct BenchmarkRow: Sendable {
    /// What was measured.
    let benchCase: BenchCase
    /// The backend's name, such as `opencl: <device>`.
    let backend: String
    /// The kernel variant the backend chose (`OpenCLBackend.kernelVariant(for:options:)`).
    let variant: String
    /// Where the row's launch settings came from: `user table`, `built-in table`, `heuristic`
    /// (`OpenCLBackend.tuningOrigin(for:options:)`), or `--settings`.
    let settings: String
    /// Kernel time of the buffer form, from profiling events.
    let kernel: Samples
    /// Wall time of the OpenCL array form (upload, kernels, download).
    let wall: Samples
    /// Wall time of the CPU reference's array form.
    let reference: Samples
    /// The worst `ErrorMetric` error over the pass's outputs against the CPU reference.
    let maxRelativeError: Double
    /// The largest ``maxRelativeError`` the row passes with (``Benchmark/tolerance(for:)``).
    let tolerance: Double
    /// The bytes the effective bandwidth counts: tensors × element size × N·C·H·W
    /// (``PassKind/tensorsCounted(with:)``).
    let bytesCounted: Int
    /// The copy ceiling of the run in GB/s (set again when the run ends: ``Report/settleCopyCeiling(with:)``).
    var copyGBps: Double

    /// Effective bandwidth in GB/s (10⁹ bytes): counted bytes over the median kernel time.
    var gbps: Double { Double(bytesCounted) / kernel.median / 1e9 }
    /// ``gbps`` over the copy ceiling.
    var fractionOfCopy: Double { gbps / copyGBps }
    /// The CPU reference's median wall time over OpenCL's, array form to array form.
    var speedupVersusCPU: Double { reference.median / wall.median }
}

/// A row that could not run, and why (a buffer larger than the device allows).
struct SkippedRow: Sendable {
    /// What was to be measured.
    let benchCase: BenchCase
    /// The library's description of the problem.
    let reason: String
}

/// A row of the report: measured or skipped.
enum RowOutcome: Sendable {
    case measured(BenchmarkRow)
    case skipped(SkippedRow)
}
