#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which backend ``makeBackend(_:)`` makes.
public enum BackendChoice: Sendable, Hashable {
    /// The first GPU OpenCL device that runs the library's kernels, else any other that does (PoCL
    /// on a CPU), else the CPU reference; each device skipped is warned of on the library's log
    /// (swift-log, label `BatchNorm`). `BN_BACKEND=cpu|opencl` and `BN_OPENCL_DEVICE` override it.
    case auto
    /// The pure-Swift CPU reference.
    case cpu
    /// An OpenCL device: an index into `openCLDevices()` or a name substring; nil picks as
    /// `.auto` does among OpenCL devices (and throws `BatchNormError.noWorkingOpenCLDevice` when
    /// none works), or as `BN_OPENCL_DEVICE` says. A device named is never skipped.
    case openCL(device: String? = nil)
}

/// Makes a backend at run time.
///
/// The environment decides what the code leaves open: `BN_BACKEND` (`cpu` or `opencl`) replaces
/// `.auto`, and `BN_OPENCL_DEVICE` (an index or a name substring) names the device when the choice
/// names none. An explicit `.cpu` or `.openCL(device: "…")` is never overridden.
/// - Parameter choice: The backend wanted; `.auto` by default.
/// - Returns: The backend, erased so that its buffer forms need no generic caller; its `base` is the
///   `CPUBackend` or `OpenCLBackend` chosen.
/// - Throws: `BatchNormError.invalidEnvironment` for an unknown
///   `BN_BACKEND`; `BatchNormError.noOpenCLPlatform`,
///   `BatchNormError.noOpenCLDevice` or `BatchNormError.noWorkingOpenCLDevice` when OpenCL was
///   asked for and is not there or does not work.
public func makeBackend(_ choice: BackendChoice = .auto) throws -> AnyBatchNormBackend {
    try makeBackend(choice, environment: BackendEnvironment.current())
}

/// The variables that steer ``makeBackend(_:)``.
package struct BackendEnvironment: Sendable, Hashable {
    /// `BN_BACKEND`.
    package var backend: String?
    /// `BN_OPENCL_DEVICE`.
    package var device: String?

    package init(backend: String? = nil, device: String? = nil) {
        self.backend = backend
        self.device = device
    }

    /// The process's values; an empty value counts as unset.
    static func current() -> BackendEnvironment {
        func read(_ name: String) -> String? {
            guard let value = getenv(name) else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        return BackendEnvironment(backend: read("BN_BACKEND"), device: read("BN_OPENCL_DEVICE"))
    }
}

/// ``makeBackend(_:)`` with the environment given, so that tests need not change the process's.
package func makeBackend(_ choice: BackendChoice, environment: BackendEnvironment) throws -> AnyBatchNormBackend {
    AnyBatchNormBackend(try chosenBackend(choice, environment: environment))
}

/// The backend ``makeBackend(_:environment:)`` erases.
private func chosenBackend(_ choice: BackendChoice, environment: BackendEnvironment) throws -> any SplitPhaseBackend {
    switch choice {
    case .cpu:
        return CPUBackend()
    case let .openCL(device):
        return try OpenCLBackend(device: device ?? environment.device)
    case .auto:
        switch environment.backend?.lowercased() {
        case "cpu":
            return CPUBackend()
        case "opencl":
            return try OpenCLBackend(device: environment.device)
        case nil:
            do {
                return try OpenCLBackend(device: environment.device)
            } catch BatchNormError.noOpenCLPlatform {
                return CPUBackend()
            } catch BatchNormError.noOpenCLDevice(query: nil, _) {
                return CPUBackend()
            } catch BatchNormError.noWorkingOpenCLDevice {
                // each device skipped was warned of on the library's log
                return CPUBackend()
            }
        case let other?:
            throw BatchNormError.invalidEnvironment(variable: "BN_BACKEND", value: other, expected: "cpu or opencl")
        }
    }
}
