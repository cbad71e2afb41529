import BNCore
import COpenCL

/// One argument of a kernel call.
enum KernelArgument {
    /// A `global` pointer and the `ulong` element offset that follows it in every kernel's
    /// parameters (the buffer's ``OpenCLBuffer/offset``); nil passes NULL and 0, which the kernels
    /// read as "absent" (γ, β, a center).
    case buffer(OpenCLBuffer?)
    /// A `ulong`.
    case size(Int)
    /// A `float`.
    case float(Float)
    /// An `int` used as a flag.
    case flag(Bool)
    /// A `local` array of this many bytes.
    case local(bytes: Int)

    /// The parameters this argument fills, named after `name`: a buffer fills two, its pointer and
    /// `<name>_offset`.
    func parameters(named name: String) -> [KernelParameter] {
        switch self {
        case .buffer: [KernelParameter(name: name, kind: .global), KernelParameter(name: "\(name)_offset", kind: .ulong)]
        case .size: [KernelParameter(name: name, kind: .ulong)]
        case .float: [KernelParameter(name: name, kind: .float)]
        case .flag: [KernelParameter(name: name, kind: .int)]
        case .local: [KernelParameter(name: name, kind: .local)]
        }
    }
}

/// A kernel parameter as a call fills it and as `clGetKernelArgInfo` describes it.
struct KernelParameter: Hashable, CustomStringConvertible {
    enum Kind: String, Hashable {
        /// A `global` pointer, whatever it points to.
        case global
        /// A `local` pointer.
        case local
        case ulong
        case float
        case int
    }

    var name: String
    var kind: Kind

    var description: String { "\(kind.rawValue) \(name)" }
}

/// Owns a `cl_kernel` and releases it in `deinit`. Setting arguments is not thread-safe: callers
/// hold the backend's lock from ``setArguments(_:)`` until the kernel is enqueued.
final class Kernel: @unchecked Sendable {
    let handle: cl_kernel
    let name: String
    /// Kept alive for as long as the kernel.
    let program: Program

    /// The kernel `name` of `program`. The corresponding OpenCL call is `clCreateKernel`.
    init(program: Program, name: String) throws {
        self.handle = try OpenCLCall.make("clCreateKernel") { clCreateKernel(program.handle, name, $0) }
        self.name = name
        self.program = program
        program.ledger.opened(.kernel)
    }

    deinit {
        program.ledger.closed(.kernel)
        let status = clReleaseKernel(handle)
        assert(status == CL_SUCCESS, "clReleaseKernel failed: \(OpenCLStatus(rawValue: status))")
    }

    /// Sets every argument, the first at index 0; a buffer fills two parameters, its memory and then
    /// its element offset. The corresponding OpenCL call is `clSetKernelArg`.
    func setArguments(_ arguments: KeyValuePairs<String, KernelArgument>) throws {
        var index: cl_uint = 0
        for (_, argument) in arguments {
            try set(index, argument)
            index += 1
            if case let .buffer(buffer) = argument {
                try set(index, .size(buffer?.offset ?? 0))
                index += 1
            }
        }
    }

    /// Sets the parameter at `index`; for a buffer, its memory only.
    private func set(_ index: cl_uint, _ argument: KernelArgument) throws {
        switch argument {
        case let .buffer(buffer):
            var memory: cl_mem? = buffer?.handle
            try set(index) { clSetKernelArg(handle, index, MemoryLayout<cl_mem?>.size, &memory) }
        case let .size(value):
            var value = cl_ulong(value)
            try set(index) { clSetKernelArg(handle, index, MemoryLayout<cl_ulong>.size, &value) }
        case let .float(value):
            var value = cl_float(value)
            try set(index) { clSetKernelArg(handle, index, MemoryLayout<cl_float>.size, &value) }
        case let .flag(value):
            var value = cl_int(value ? 1 : 0)
            try set(index) { clSetKernelArg(handle, index, MemoryLayout<cl_int>.size, &value) }
        case let .local(bytes):
            try set(index) { clSetKernelArg(handle, index, bytes, nil) }
        }
    }

    private func set(_ index: cl_uint, _ call: () -> cl_int) throws {
        try OpenCLCall.check("clSetKernelArg", call)
    }

    /// The largest work-group this kernel runs with on `device` (`CL_KERNEL_WORK_GROUP_SIZE`).
    /// The corresponding OpenCL call is `clGetKernelWorkGroupInfo`.
    func maxWorkGroupSize(on device: Device) throws -> Int {
        try InfoQuery.scalar("clGetKernelWorkGroupInfo", as: Int.self) {
            clGetKernelWorkGroupInfo(handle, device.id, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE), $0, $1, $2)
        }
    }

    /// The work-group size multiple the device prefers for this kernel (the warp or SIMD width).
    /// The corresponding OpenCL call is `clGetKernelWorkGroupInfo`.
    func preferredWorkGroupSizeMultiple(on device: Device) throws -> Int {
        try InfoQuery.scalar("clGetKernelWorkGroupInfo", as: Int.self) {
            clGetKernelWorkGroupInfo(handle, device.id,
                                     cl_kernel_work_group_info(CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE), $0, $1, $2)
        }
    }

    /// The kernel's parameters as the compiler saw them, in order: each name, and its address space
    /// or scalar type. Needs a program built with `-cl-kernel-arg-info`. The corresponding OpenCL
    /// calls are `clGetKernelInfo` and `clGetKernelArgInfo`.
    func parameters() throws -> [KernelParameter] {
        let count = try InfoQuery.scalar("clGetKernelInfo", as: cl_uint.self) {
            clGetKernelInfo(handle, cl_kernel_info(CL_KERNEL_NUM_ARGS), $0, $1, $2)
        }
        return try (0..<count).map { index in
            let name = try InfoQuery.string("clGetKernelArgInfo") {
                clGetKernelArgInfo(handle, index, cl_kernel_arg_info(CL_KERNEL_ARG_NAME), $0, $1, $2)
            }
            let type = try InfoQuery.string("clGetKernelArgInfo") {
                clGetKernelArgInfo(handle, index, cl_kernel_arg_info(CL_KERNEL_ARG_TYPE_NAME), $0, $1, $2)
            }
            let space = try InfoQuery.scalar("clGetKernelArgInfo", as: cl_kernel_arg_address_qualifier.self) {
                clGetKernelArgInfo(handle, index, cl_kernel_arg_info(CL_KERNEL_ARG_ADDRESS_QUALIFIER), $0, $1, $2)
            }
            let kind: KernelParameter.Kind? = switch Int32(space) {
            case CL_KERNEL_ARG_ADDRESS_GLOBAL: .global
            case CL_KERNEL_ARG_ADDRESS_LOCAL: .local
            default: KernelParameter.Kind(rawValue: type)
            }
            guard let kind else {
                throw BatchNormError.incompatibleOpenCLObjects(reason: "parameter \(index) of \(self.name), \(type) \(name), is of no kind the library passes")
            }
            return KernelParameter(name: name, kind: kind)
        }
    }
}
