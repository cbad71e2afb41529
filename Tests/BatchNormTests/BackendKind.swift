import BatchNorm
import BNTestSupport
import Testing

/// The backends a suite runs on: the CPU reference always, OpenCL where a device exists.
enum BackendKind: String, Sendable, CustomTestStringConvertible {
    case cpu
    case openCL

    static var available: [BackendKind] { TestBackends.hasOpenCLDevice ? [.cpu, .openCL] : [.cpu] }

    func make() throws -> any BatchNormBackend {
        switch self {
        case .cpu: CPUBackend()
        case .openCL: try TestBackends.openCL()
        }
    }

    var testDescription: String { rawValue }
}
