import BNCore
import BNGPU

#if canImport(Glibc)
import Glibc
#endif

/// The backends the suites share. One OpenCL backend serves every test, so kernels are built once
/// per run, and the parallel tests exercise its lock as real users would.
public enum TestBackends {
    /// Whether this machine has an OpenCL device that runs the library; OpenCL suites are enabled
    /// only where it does, and CI installs PoCL so they always run there (`BN_REQUIRE_OPENCL=1`
    /// makes a missing device fail).
    public static let hasOpenCLDevice: Bool = (try? sharedOpenCL.get()) != nil

    /// Whether the environment demands OpenCL (`BN_REQUIRE_OPENCL=1`, set by CI).
    public static var requiresOpenCL: Bool { getenv("BN_REQUIRE_OPENCL").map { String(cString: $0) == "1" } ?? false }

    /// The device the suites run on, as a query for ``OpenCLBackend/init(device:isProfilingEnabled:)``:
    /// the one `BN_OPENCL_DEVICE` names, else the index of the device the library takes with none
    /// named (the first that builds its kernels, GPUs first). A simulator such as Oclgrind, listed
    /// first where it is installed, fails that build under its default options and is passed over;
    /// the Oclgrind check names it (`BN_OPENCL_DEVICE=Oclgrind`).
    public static let deviceQuery: String? = requestedDevice ?? (try? sharedOpenCL.get()).map { "\($0.device.index)" }

    private static let requestedDevice: String? = getenv("BN_OPENCL_DEVICE").map { String(cString: $0) }

    private static let sharedOpenCL = Result { try OpenCLBackend(device: requestedDevice) }

    /// The shared OpenCL backend.
    public static func openCL() throws -> OpenCLBackend {
        try sharedOpenCL.get()
    }
}
