import COpenCL

/// An OpenCL status code (`cl_int`) with its symbolic name, as swift-system's `Errno` wraps `errno`.
public struct OpenCLStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code an OpenCL call returned.
    public let rawValue: Int32

    /// Wraps a status code.
    /// - Parameter rawValue: The `cl_int` an OpenCL call returned.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `CL_SUCCESS`.
    public static let success = OpenCLStatus(rawValue: CL_SUCCESS)
    /// `CL_DEVICE_NOT_FOUND`: a platform has no device of the type asked for.
    public static let deviceNotFound = OpenCLStatus(rawValue: CL_DEVICE_NOT_FOUND)
    /// `CL_OUT_OF_RESOURCES`.
    public static let outOfResources = OpenCLStatus(rawValue: CL_OUT_OF_RESOURCES)
    /// `CL_MEM_OBJECT_ALLOCATION_FAILURE`.
    public static let memoryAllocationFailure = OpenCLStatus(rawValue: CL_MEM_OBJECT_ALLOCATION_FAILURE)
    /// `CL_BUILD_PROGRAM_FAILURE`: the build log says why.
    public static let buildProgramFailure = OpenCLStatus(rawValue: CL_BUILD_PROGRAM_FAILURE)
    /// `CL_PLATFORM_NOT_FOUND_KHR` (-1001, from the ICD extension): the loader found no platform.
    public static let platformNotFound = OpenCLStatus(rawValue: -1001)

    /// The symbolic name, such as `CL_OUT_OF_RESOURCES`, or `unknown OpenCL status <code>`.
    public var name: String {
        Self.names[rawValue] ?? "unknown OpenCL status \(rawValue)"
    }

    public var description: String { name }

    /// Every status code of the OpenCL 3.0 headers, and the ICD loader's. The codes of OpenCL 2.0 and
    /// later are written as numbers: the shim targets the 1.2 API, whose headers leave them out.
    private static let names: [Int32: String] = Dictionary(uniqueKeysWithValues: [
        (CL_SUCCESS, "CL_SUCCESS"),
        (CL_DEVICE_NOT_FOUND, "CL_DEVICE_NOT_FOUND"),
        (CL_DEVICE_NOT_AVAILABLE, "CL_DEVICE_NOT_AVAILABLE"),
        (CL_COMPILER_NOT_AVAILABLE, "CL_COMPILER_NOT_AVAILABLE"),
        (CL_MEM_OBJECT_ALLOCATION_FAILURE, "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
        (CL_OUT_OF_RESOURCES, "CL_OUT_OF_RESOURCES"),
        (CL_OUT_OF_HOST_MEMORY, "CL_OUT_OF_HOST_MEMORY"),
        (CL_PROFILING_INFO_NOT_AVAILABLE, "CL_PROFILING_INFO_NOT_AVAILABLE"),
        (CL_MEM_COPY_OVERLAP, "CL_MEM_COPY_OVERLAP"),
        (CL_IMAGE_FORMAT_MISMATCH, "CL_IMAGE_FORMAT_MISMATCH"),
        (CL_IMAGE_FORMAT_NOT_SUPPORTED, "CL_IMAGE_FORMAT_NOT_SUPPORTED"),
        (CL_BUILD_PROGRAM_FAILURE, "CL_BUILD_PROGRAM_FAILURE"),
        (CL_MAP_FAILURE, "CL_MAP_FAILURE"),
        (CL_MISALIGNED_SUB_BUFFER_OFFSET, "CL_MISALIGNED_SUB_BUFFER_OFFSET"),
        (CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"),
        (CL_COMPILE_PROGRAM_FAILURE, "CL_COMPILE_PROGRAM_FAILURE"),
        (CL_LINKER_NOT_AVAILABLE, "CL_LINKER_NOT_AVAILABLE"),
        (CL_LINK_PROGRAM_FAILURE, "CL_LINK_PROGRAM_FAILURE"),
        (CL_DEVICE_PARTITION_FAILED, "CL_DEVICE_PARTITION_FAILED"),
        (CL_KERNEL_ARG_INFO_NOT_AVAILABLE, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"),
        (CL_INVALID_VALUE, "CL_INVALID_VALUE"),
        (CL_INVALID_DEVICE_TYPE, "CL_INVALID_DEVICE_TYPE"),
        (CL_INVALID_PLATFORM, "CL_INVALID_PLATFORM"),
        (CL_INVALID_DEVICE, "CL_INVALID_DEVICE"),
        (CL_INVALID_CONTEXT, "CL_INVALID_CONTEXT"),
        (CL_INVALID_QUEUE_PROPERTIES, "CL_INVALID_QUEUE_PROPERTIES"),
        (CL_INVALID_COMMAND_QUEUE, "CL_INVALID_COMMAND_QUEUE"),
        (CL_INVALID_HOST_PTR, "CL_INVALID_HOST_PTR"),
        (CL_INVALID_MEM_OBJECT, "CL_INVALID_MEM_OBJECT"),
        (CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR"),
        (CL_INVALID_IMAGE_SIZE, "CL_INVALID_IMAGE_SIZE"),
        (CL_INVALID_SAMPLER, "CL_INVALID_SAMPLER"),
        (CL_INVALID_BINARY, "CL_INVALID_BINARY"),
        (CL_INVALID_BUILD_OPTIONS, "CL_INVALID_BUILD_OPTIONS"),
        (CL_INVALID_PROGRAM, "CL_INVALID_PROGRAM"),
        (CL_INVALID_PROGRAM_EXECUTABLE, "CL_INVALID_PROGRAM_EXECUTABLE"),
        (CL_INVALID_KERNEL_NAME, "CL_INVALID_KERNEL_NAME"),
        (CL_INVALID_KERNEL_DEFINITION, "CL_INVALID_KERNEL_DEFINITION"),
        (CL_INVALID_KERNEL, "CL_INVALID_KERNEL"),
        (CL_INVALID_ARG_INDEX, "CL_INVALID_ARG_INDEX"),
        (CL_INVALID_ARG_VALUE, "CL_INVALID_ARG_VALUE"),
        (CL_INVALID_ARG_SIZE, "CL_INVALID_ARG_SIZE"),
        (CL_INVALID_KERNEL_ARGS, "CL_INVALID_KERNEL_ARGS"),
        (CL_INVALID_WORK_DIMENSION, "CL_INVALID_WORK_DIMENSION"),
        (CL_INVALID_WORK_GROUP_SIZE, "CL_INVALID_WORK_GROUP_SIZE"),
        (CL_INVALID_WORK_ITEM_SIZE, "CL_INVALID_WORK_ITEM_SIZE"),
        (CL_INVALID_GLOBAL_OFFSET, "CL_INVALID_GLOBAL_OFFSET"),
        (CL_INVALID_EVENT_WAIT_LIST, "CL_INVALID_EVENT_WAIT_LIST"),
        (CL_INVALID_EVENT, "CL_INVALID_EVENT"),
        (CL_INVALID_OPERATION, "CL_INVALID_OPERATION"),
        (CL_INVALID_GL_OBJECT, "CL_INVALID_GL_OBJECT"),
        (CL_INVALID_BUFFER_SIZE, "CL_INVALID_BUFFER_SIZE"),
        (CL_INVALID_MIP_LEVEL, "CL_INVALID_MIP_LEVEL"),
        (CL_INVALID_GLOBAL_WORK_SIZE, "CL_INVALID_GLOBAL_WORK_SIZE"),
        (CL_INVALID_PROPERTY, "CL_INVALID_PROPERTY"),
        (CL_INVALID_IMAGE_DESCRIPTOR, "CL_INVALID_IMAGE_DESCRIPTOR"),
        (CL_INVALID_COMPILER_OPTIONS, "CL_INVALID_COMPILER_OPTIONS"),
        (CL_INVALID_LINKER_OPTIONS, "CL_INVALID_LINKER_OPTIONS"),
        (CL_INVALID_DEVICE_PARTITION_COUNT, "CL_INVALID_DEVICE_PARTITION_COUNT"),
        (-69, "CL_INVALID_PIPE_SIZE"),
        (-70, "CL_INVALID_DEVICE_QUEUE"),
        (-71, "CL_INVALID_SPEC_ID"),
        (-72, "CL_MAX_SIZE_RESTRICTION_EXCEEDED"),
        (-1001, "CL_PLATFORM_NOT_FOUND_KHR"),
    ])
}
