import ArgumentParser
import BatchNorm

/// A memory order for 4-D shapes, as `--layouts` takes it; 2-D shapes are always `.nc`.
enum LayoutChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Channels first.
    case nchw
    /// Channels last.
    case nhwc

    /// The library's layout.
    var layout: TensorLayout {
        switch self {
        case .nchw: .nchw
        case .nhwc: .nhwc
        }
    }
}
