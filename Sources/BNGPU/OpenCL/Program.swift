import BNCore
import COpenCL
import Synchronization

/// Owns a built `cl_program` and releases it in `deinit`.
final class Program: @unchecked Sendable {
    let handle: cl_program
    let name: String
    /// The context's ledger, which counts this program and its kernels.
    let ledger: ResourceLedger

    /// Compiles and builds `source` for the context's device.
    /// - Parameters:
    ///   - context: The context to build in.
    ///   - source: The OpenCL C source.
    ///   - options: Build options: `-D` defines and precision flags.
    ///   - name: A name for errors, such as `bn_statistics`.
    /// - Throws: `BatchNormError.kernelBuildFailed` with the build log when
    ///   the compiler rejects the source. The corresponding OpenCL calls are
    ///   `clCreateProgramWithSource` and `clBuildProgram`.
    init(context: Context, source: String, options: String, name: String) throws {
        handle = try source.withCString { text in
            var pointer: UnsafePointer<CChar>? = text
            return try OpenCLCall.make("clCreateProgramWithSource") {
                clCreateProgramWithSource(context.handle, 1, &pointer, nil, $0)
            }
        }
        self.name = name
        self.ledger = context.ledger
        // Counted before the build: a build that throws still releases the program in `deinit`.
        ledger.opened(.program)
        var device: cl_device_id? = context.device.id
        do {
            try Self.buildGate(for: context.device) {
                try OpenCLCall.check("clBuildProgram") { clBuildProgram(handle, 1, &device, options, nil, nil) }
            }
        } catch let BatchNormError.openCLCallFailed(_, code, _)
            where code == OpenCLStatus.buildProgramFailure.rawValue || code == CL_INVALID_BUILD_OPTIONS {
            throw BatchNormError.kernelBuildFailed(program: name, device: context.device.info.name,
                                                   log: (try? buildLog(device: context.device)) ?? "(no build log)")
        }
    }

    /// Serializes builds on drivers whose compiler is not thread-safe, although OpenCL makes
    /// `clBuildProgram` so: Oclgrind 21.10 crashes (SIGSEGV in its embedded clang) when two threads
    /// build at once, shown with no project code by `.ci/oclgrind/concurrent_build.c`. Every
    /// other driver builds in parallel, as before.
    private static let oneBuildAtATime = Mutex(())

    private static func buildGate(for device: Device, _ build: () throws -> Void) throws {
        if device.info.platform == "Oclgrind" {
            try oneBuildAtATime.withLock { _ in try build() }
        } else {
            try build()
        }
    }

    deinit {
        ledger.closed(.program)
        let status = clReleaseProgram(handle)
        assert(status == CL_SUCCESS, "clReleaseProgram failed: \(OpenCLStatus(rawValue: status))")
    }

    /// The compiler's log for the last build on `device`. The corresponding OpenCL call is `clGetProgramBuildInfo`.
    func buildLog(device: Device) throws -> String {
        try InfoQuery.string("clGetProgramBuildInfo") {
            clGetProgramBuildInfo(handle, device.id, cl_program_build_info(CL_PROGRAM_BUILD_LOG), $0, $1, $2)
        }
    }
}
