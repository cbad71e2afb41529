import BNCore
import BNCPU
import BNGPU
import Testing

/// The backends a suite runs on: the CPU reference always, OpenCL where a device exists.
public enum BackendKind: String, Sendable, CustomTestStringConvertible {
    case cpu
    case openCL
    /// OpenCL with launch settings that take the paths the default ones skip on small tests:
    /// features split into several chunks and merged (never resident), two feature vectors per
    /// interleaved work-item.
    case openCLChunked

    public static var available: [BackendKind] { TestBackends.hasOpenCLDevice ? [.cpu, .openCL] : [.cpu] }

    /// ``available`` and, where OpenCL exists, ``openCLChunked``: for suites about every kernel path.
    public static var everyPath: [BackendKind] { available + (TestBackends.hasOpenCLDevice ? [.openCLChunked] : []) }

    /// The settings of ``openCLChunked``.
    package static let chunkedSettings = LaunchSettings(vectorWidth: 4, reductionGroupSize: 16, valuesPerChunk: 64,
                                                elementwiseColumns: 4, valuesPerElementwiseItem: 64,
                                                residentFeatureBytes: 0, interleavedSpan: 2)

    private static let chunked = Result { try makeChunked() }

    /// A new OpenCL backend with ``chunkedSettings``.
    private static func makeChunked() throws -> OpenCLBackend {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        try backend.overrideLaunchSettings(chunkedSettings)
        return backend
    }

    /// The backend of this kind, shared by the suite's tests, erased as `makeBackend` returns it.
    public func make() throws -> AnyBatchNormBackend {
        switch self {
        case .cpu: AnyBatchNormBackend(CPUBackend())
        case .openCL: AnyBatchNormBackend(try TestBackends.openCL())
        case .openCLChunked: AnyBatchNormBackend(try Self.chunked.get())
        }
    }

    /// A second backend of this kind: a new instance with its own context on OpenCL.
    public func makeAnother() throws -> AnyBatchNormBackend {
        switch self {
        case .cpu: AnyBatchNormBackend(CPUBackend())
        case .openCL: AnyBatchNormBackend(try OpenCLBackend(device: TestBackends.deviceQuery))
        case .openCLChunked: AnyBatchNormBackend(try Self.makeChunked())
        }
    }

    /// How far this backend's results may lie from the float64 reference (``Tolerance``).
    public var tolerance: Double {
        self == .cpu ? Tolerance.cpuReference : Tolerance.openCL
    }

    public var testDescription: String { rawValue }
}
