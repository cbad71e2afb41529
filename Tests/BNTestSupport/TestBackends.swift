import BNCore
import BNGPU

#if canImport(Glibc)
import Glibc
#endif

/// The backends the suites share. One OpenCL backend serves every test, so kernels are built once
/// per run, and the parallel tests exercise its lock as real users would.
public enum TestBackends {
    /// Whether this machine has an OpenCL device; OpenCL suites are enabled only where it does,
    /// and CI installs PoCL so they always run there (`BN_REQUIRE_OPENCL=1` makes a missing device fail).
    public static let hasOpenCLDevice: Bool = (try? openCLDevices())?.isEmpty == false

    /// Whether the environment demands OpenCL (`BN_REQUIRE_OPENCL=1`, set by CI).
    public static var requiresOpenCL: Bool { getenv("BN_REQUIRE_OPENCL").map { String(cString: $0) == "1" } ?? false }

    /// The device `BN_OPENCL_DEVICE` names, or the default one.
    public static var deviceQuery: String? { getenv("BN_OPENCL_DEVICE").map { String(cString: $0) } }

    private static let sharedOpenCL = Result { try OpenCLBackend(device: deviceQuery) }

    /// The shared OpenCL backend.
    public static func openCL() throws -> OpenCLBackend {
        try sharedOpenCL.get()
    }
}
