import BNCore
import COpenCL

/// An OpenCL platform (one installed driver). Platforms are never released.
struct Platform: @unchecked Sendable {
    let id: cl_platform_id
    let name: String

    /// The platform `id`, with its name. The corresponding OpenCL call is `clGetPlatformInfo`.
    init(id: cl_platform_id) throws {
        self.id = id
        self.name = try InfoQuery.string("clGetPlatformInfo") {
            clGetPlatformInfo(id, cl_platform_info(CL_PLATFORM_NAME), $0, $1, $2)
        }
    }

    /// Every platform the ICD loader knows, in its order.
    /// - Throws: `BatchNormError.noOpenCLPlatform` when there is none; the corresponding OpenCL
    ///   call is `clGetPlatformIDs`.
    static func all() throws -> [Platform] {
        do {
            let ids = try InfoQuery.array("clGetPlatformIDs", of: cl_platform_id?.self) { size, value, sizeReturned in
                var count: cl_uint = 0
                let status = clGetPlatformIDs(cl_uint(size / MemoryLayout<cl_platform_id?>.stride),
                                              value?.assumingMemoryBound(to: cl_platform_id?.self), &count)
                sizeReturned?.pointee = Int(count) * MemoryLayout<cl_platform_id?>.stride
                return status
            }
            let platforms = try ids.compactMap { $0 }.map(Platform.init(id:))
            if platforms.isEmpty { throw BatchNormError.noOpenCLPlatform }
            return platforms
        } catch let error as BatchNormError {
            throw mapNoPlatform(error)
        }
    }

    /// The ICD loader answers `CL_PLATFORM_NOT_FOUND_KHR` when no driver is installed; that is not
    /// a failed call but a missing package, and the error says which to install.
    static func mapNoPlatform(_ error: BatchNormError) -> BatchNormError {
        if case let .openCLCallFailed(_, code, _) = error, code == OpenCLStatus.platformNotFound.rawValue {
            return .noOpenCLPlatform
        }
        return error
    }

    /// The platform's devices of every type, in its order; none when it reports `CL_DEVICE_NOT_FOUND`.
    /// The corresponding OpenCL call is `clGetDeviceIDs`.
    func devices() throws -> [Device] {
        do {
            let ids = try InfoQuery.array("clGetDeviceIDs", of: cl_device_id?.self) { size, value, sizeReturned in
                var count: cl_uint = 0
                let status = clGetDeviceIDs(id, cl_device_type(CL_DEVICE_TYPE_ALL), cl_uint(size / MemoryLayout<cl_device_id?>.stride),
                                            value?.assumingMemoryBound(to: cl_device_id?.self), &count)
                sizeReturned?.pointee = Int(count) * MemoryLayout<cl_device_id?>.stride
                return status
            }
            return try ids.compactMap { $0 }.map { try Device(id: $0, platform: self) }
        } catch BatchNormError.openCLCallFailed(_, OpenCLStatus.deviceNotFound.rawValue, _) {
            return []
        }
    }
}
