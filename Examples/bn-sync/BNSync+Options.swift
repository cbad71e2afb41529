import ArgumentParser
import BatchNorm

/// Where each rank's batch norm runs.
enum BackendOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// `makeBackend(.auto)`: an OpenCL device if one exists (a GPU first), else the CPU reference.
    case auto
    /// The pure-Swift CPU reference.
    case cpu
    /// An OpenCL device (BN_OPENCL_DEVICE picks which); fails when there is none.
    case opencl

    /// The backend this option names.
    /// - Returns: The backend.
    /// - Throws: What `makeBackend(_:)` throws, such as `BatchNormError.noOpenCLDevice`.
    func make() throws -> AnyBatchNormBackend {
        switch self {
        case .auto: try makeBackend(.auto)
        case .cpu: try makeBackend(.cpu)
        case .opencl: try makeBackend(.openCL())
        }
    }
}

/// The memory order of the batch.
enum LayoutOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Channels first.
    case nchw
    /// Channels last.
    case nhwc

    /// The library's layout.
    var layout: TensorLayout { self == .nchw ? .nchw : .nhwc }
}
