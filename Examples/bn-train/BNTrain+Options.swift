import ArgumentParser
import BatchNorm

/// The data sets bn-train knows, with the network each trains by default.
enum DatasetChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Two concentric circles of noisy points, generated from the seed.
    case circles
    /// The 1,797 handwritten 8×8 digits of `Data/digits.csv.gz`.
    case digits

    /// Hidden widths: two small layers for the circles; for the digits the paper's three layers of 100.
    var hidden: [Int] { self == .circles ? [32, 32] : [100, 100, 100] }
    /// The learning rate. Chosen with the NumPy model in `Benchmarks/scripts/bn_train_model.py` (5
    /// seeds) as one at which the network without batch norm still reaches the target within
    /// ``epochs``, so that the gap is a count of epochs rather than "never".
    var learningRate: Float { self == .circles ? 0.1 : 0.5 }
    /// The standard deviation of the initial weights: "small Gaussian" for the digits, as in the
    /// paper (0.1 with 100 units per layer shrinks the signal layer by layer); larger for two inputs.
    var initialScale: Double { self == .circles ? 0.5 : 0.1 }
    /// Enough epochs for the network without batch norm to reach 90 % on every seed tried.
    var epochs: Int { self == .circles ? 200 : 100 }
}

/// Where the batch norms run.
enum BackendOption: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// `makeBackend(_:for:)`: a GPU if there is one; on a CPU-only OpenCL device (PoCL) the CPU
    /// reference for layers this small, where launches would cost more than the work.
    case auto
    /// The pure-Swift CPU reference.
    case cpu
    /// An OpenCL device, whatever its kind: `--device` or `BN_OPENCL_DEVICE` picks which.
    case opencl

    /// The backend for batch norms of `shape`.
    /// - Parameters:
    ///   - shape: A hidden layer's batch, for `.auto`'s rule on small shapes.
    ///   - device: The OpenCL device query, if any.
    /// - Returns: The backend.
    /// - Throws: What ``makeBackend(_:for:)`` throws.
    func make(for shape: TensorShape, device: String?) throws -> AnyBatchNormBackend {
        switch self {
        case .auto: try makeBackend(device.map { .openCL(device: $0) } ?? .auto, for: shape)
        case .cpu: try makeBackend(.cpu)
        case .opencl: try makeBackend(.openCL(device: device), for: shape)
        }
    }
}

/// Parses "100,100,100" into widths, each at least 1.
/// - Parameter text: Comma-separated positive integers.
/// - Returns: The widths, or nil when the text is not such a list.
func parseWidths(_ text: String) -> [Int]? {
    let widths = text.split(separator: ",", omittingEmptySubsequences: false)
        .map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
    return widths.compactMap { $0 }
}

/// What normalizes the hidden layers, and so which networks a run trains side by side.
enum NormalizationChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Batch norm against none: the epochs each needs to reach the target.
    case batch
    /// Batch renorm, batch norm and none: the held-out accuracy each ends with.
    case renorm
    /// Only the network without normalization.
    case none

    /// The networks trained, in the order the log, the tables and the last line list them.
    var networks: [NetworkKind] {
        switch self {
        case .batch: [.batchNorm, .plain]
        case .renorm: [.batchRenorm, .batchNorm, .plain]
        case .none: [.plain]
        }
    }
}

/// How the training set is cut into batches each epoch.
enum BatchSampling: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// The training set shuffled, then cut into consecutive batches: each batch a random sample.
    case iid
    /// Each batch half from one class and half from another (Ioffe 2017, section 4.2); see
    /// ``Dataset/twoClassBatches(size:using:)``.
    case nonIID = "non-iid"
}

/// The network a run trains.
enum ModelChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// A multilayer perceptron: (dense → batch norm → activation) per hidden layer.
    case mlp
    /// A convolutional network on the digits' 8×8 images: (3×3 convolution → batch norm + ReLU,
    /// fused) per block, 2×2 max pooling, dense.
    case conv

    /// The defaults a run takes where an option is not given.
    func defaults(for dataset: DatasetChoice) -> TrainingDefaults {
        switch self {
        case .mlp:
            TrainingDefaults(hidden: dataset.hidden, learningRate: dataset.learningRate,
                             initialScale: dataset.initialScale, epochs: dataset.epochs, activation: .sigmoid)
        case .conv:
            // Two blocks of 8 and 16 channels, as the issue asks. The weights' "small Gaussian"
            // N(0, 0.1²) and the rate 0.05 are the MLP's conditions in miniature: measured over seeds
            // 1–5 (the README's table), the network without batch norm still reaches 90 % within
            // the epochs, more slowly.
            TrainingDefaults(hidden: [8, 16], learningRate: 0.05, initialScale: 0.1, epochs: 15, activation: .relu)
        }
    }
}

/// What a run takes for the options it is not given: per model and data set.
struct TrainingDefaults: Sendable, Hashable {
    /// Hidden widths (an MLP's layers) or channels (a convolutional network's blocks).
    var hidden: [Int]
    var learningRate: Float
    /// The standard deviation of the Gaussian initial weights.
    var initialScale: Double
    var epochs: Int
    var activation: Activation
}

/// How the convolutional network lays out its maps.
enum LayoutChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case nchw
    case nhwc

    var layout: TensorLayout { self == .nchw ? .nchw : .nhwc }
}
