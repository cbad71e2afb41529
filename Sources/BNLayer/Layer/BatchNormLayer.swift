import BNCore

/// A batch-norm layer that owns its state: γ, β, the running statistics, a training flag and the
/// buffers of the last pass, for users who want a layer rather than an operation.
///
/// Every tensor and per-feature array lives in the backend's buffers, so that on OpenCL a step moves
/// only what the caller asks for: the buffer form (``forward(_:shape:)-(Buffer,_)``,
/// ``backward(_:)-(Buffer)``) chains passes on the device with no host round trip, and the array form
/// uploads x or dy and downloads y or dx, nothing else. The buffers of the two most recent batch
/// shapes are kept and reused, so that training batches and evaluation batches of another size can
/// alternate without an allocation.
///
/// ```swift
/// let layer = try BatchNormLayer(backend: CPUBackend(), features: 100)
/// let y = try layer.forward(x, shape: TensorShape(n: 60, c: 100))   // training: batch statistics
/// let dx = try layer.backward(dy)                                    // dγ and dβ kept in the layer
/// try layer.applyGradients(learningRate: 0.1)                        // plain SGD on γ and β
/// layer.isTraining = false                                           // inference: running statistics
/// ```
///
/// A layer is not `Sendable`: use it from one task at a time, as a model's layers are.
public final class BatchNormLayer<Backend: BatchNormBackend> {
    /// Where the passes run.
    public let backend: Backend
    /// C: the number of features, each with its own γ, β and running statistics.
    public let features: Int
    /// ε, momentum and its convention, the stored variance, the mode and the fusion; checked by
    /// every pass. The fusion is `.none` or `.relu`.
    public var options: BatchNormOptions
    /// How the layer's tensors are stored: x, y, dy and dx. Statistics, γ, β and their gradients
    /// are `Float` whatever it is, as every pass keeps them.
    public let storage: ElementType
    /// Whether ``forward(_:shape:)-(Buffer,_)`` normalizes with batch statistics and updates the running
    /// statistics (training) or normalizes with the running statistics (inference). Starts `true`,
    /// as a new PyTorch or Keras layer does.
    public var isTraining = true

    /// γ, kept on the host as well so that an SGD step needs no download of it.
    public internal(set) var gamma: [Float]
    /// β, kept on the host as well.
    public internal(set) var beta: [Float]
    /// γ on the backend, for buffer-form calls of the caller's own; change it with ``setParameters(gamma:beta:)``.
    public let gammaBuffer: Backend.Buffer
    /// β on the backend; change it with ``setParameters(gamma:beta:)``.
    public let betaBuffer: Backend.Buffer
    /// The running mean and variance on the backend, and the batches counted.
    public internal(set) var running: RunningStatisticsBuffers<Backend.Buffer>
    /// dγ of the last backward pass (zero before the first).
    public let gammaGradient: Backend.Buffer
    /// dβ of the last backward pass (zero before the first).
    public let betaGradient: Backend.Buffer

    /// The buffers of recent batch shapes, the most recently used first.
    var workspaces: [LayerWorkspace<Backend.Buffer>] = []
    /// What the last successful forward pass leaves for the backward pass.
    var saved: SavedForward<Backend.Buffer>?

    /// A layer with γ = 1, β = 0, running mean 0 and running variance 1, as PyTorch and Keras start.
    /// - Parameters:
    ///   - backend: Where the passes run.
    ///   - features: C, at least 1: channels in `.spatial` mode, C·H·W in `.perActivation` mode.
    ///   - options: The layer's constants; PyTorch's `BatchNorm` defaults unless given. With
    ///     `fusion: .relu` the forward pass writes relu(batch norm) and the backward pass takes the
    ///     gradient with respect to that output.
    ///   - storage: How x, y, dy and dx are stored; `Float` unless given. The array form rounds x and
    ///     dy to it and widens y and dx from it; the buffer form takes x and dy of this type.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` for `features` below 1, a bad
    ///   option or the `.addRelu` fusion (its second input z has no place in a layer's passes; the
    ///   backend's passes take z and dz); a device error if the buffers cannot be made.
    public init(backend: Backend, features: Int, options: BatchNormOptions = BatchNormOptions(),
                storage: ElementType = .float32) throws {
        guard features >= 1 else {
            throw BatchNormError.invalidOption(name: "features", value: "\(features)", reason: "a layer needs at least 1 feature")
        }
        try options.validate()
        try Self.checkFusion(options.fusion)
        self.backend = backend
        self.features = features
        self.options = options
        self.storage = storage
        gamma = [Float](repeating: 1, count: features)
        beta = [Float](repeating: 0, count: features)
        let zeros = [Float](repeating: 0, count: features)
        gammaBuffer = try backend.upload(gamma)
        betaBuffer = try backend.upload(beta)
        running = try backend.upload(RunningStatistics(channels: features))
        gammaGradient = try backend.upload(zeros)
        betaGradient = try backend.upload(zeros)
    }

    /// Throws unless a layer can run `fusion`: `.none` or `.relu`.
    static func checkFusion(_ fusion: FusedOperation) throws {
        guard !fusion.addsInput else {
            throw BatchNormError.invalidOption(
                name: "fusion", value: fusion.rawValue,
                reason: "a BatchNormLayer fuses .relu only: .addRelu needs a second input z and returns dz, which a layer's passes do not take; call the backend's passes with z and dz, or use .relu")
        }
    }

    /// 4·C: γ, β, the running mean and the running variance, as Keras's `count_params()` counts them.
    public var parameterCount: Int { trainableParameterCount + nonTrainableParameterCount }
    /// 2·C: γ and β, which gradient descent changes.
    public var trainableParameterCount: Int { 2 * features }
    /// 2·C: the running mean and variance, which training passes update but no gradient reaches.
    public var nonTrainableParameterCount: Int { 2 * features }
}

/// The buffers a layer keeps for one batch shape: allocated when a batch of a new shape arrives and
/// reused for every batch of that shape. The input and output-gradient buffers serve the array form
/// only, so they are made the first time it needs them.
final class LayerWorkspace<Buffer: BatchNormBuffer> {
    /// How many batch shapes a layer keeps buffers for: a training shape and an evaluation shape.
    static var capacity: Int { 2 }

    /// The checked shape the buffers are sized for.
    let geometry: FeatureGeometry
    let y: Buffer
    let mean: Buffer
    let invStd: Buffer
    let dx: Buffer
    /// The array form's copy of x.
    var x: Buffer?
    /// The array form's copy of dy.
    var dy: Buffer?
    /// r and d of a renormalizing training pass, made the first time the options renormalize.
    private var corrections: RenormCorrections<Buffer>?
    /// The mean and invStd of virtual batches, one value per group and feature, made when a
    /// training pass first splits the batch (and again when the number of groups changes).
    private var groupStatistics: (mean: Buffer, invStd: Buffer)?

    init(geometry: FeatureGeometry, y: Buffer, mean: Buffer, invStd: Buffer, dx: Buffer) {
        self.geometry = geometry
        self.y = y
        self.mean = mean
        self.invStd = invStd
        self.dx = dx
    }

    /// A training pass's mean and invStd of `count` values: the workspace's own for the whole batch,
    /// else the virtual batches' (kept while the count stays).
    /// - Parameters:
    ///   - count: Groups × features.
    ///   - make: Makes a buffer of a count.
    func statistics(count: Int, make: (Int) throws -> Buffer) rethrows -> (mean: Buffer, invStd: Buffer) {
        guard count != mean.count else { return (mean, invStd) }
        if let groupStatistics, groupStatistics.mean.count == count { return groupStatistics }
        let made = (mean: try make(count), invStd: try make(count))
        groupStatistics = made
        return made
    }

    /// A renormalizing training pass's r and d of `count` values (kept while the count stays).
    func corrections(count: Int, make: (Int) throws -> Buffer) rethrows -> RenormCorrections<Buffer> {
        if let corrections, corrections.r.count == count { return corrections }
        let made = RenormCorrections(r: try make(count), d: try make(count))
        corrections = made
        return made
    }
}

/// The forward pass a backward pass differentiates.
struct SavedForward<Buffer: BatchNormBuffer> {
    /// The input, which the caller keeps unchanged until the backward pass (the layer's own in the array form).
    let x: Buffer
    /// The buffers the pass wrote: y, the batch statistics, and dx for the backward pass.
    let workspace: LayerWorkspace<Buffer>
    /// The options of the pass, so that a change to ``BatchNormLayer/options`` in between does not
    /// mismatch the backward pass.
    let options: BatchNormOptions
    /// True when the pass normalized with batch statistics (training), false for the running statistics.
    let usedBatchStatistics: Bool
    /// The batch statistics the training pass wrote (one value per group and feature).
    let statistics: (mean: Buffer, invStd: Buffer)
    /// r and d, when the training pass renormalized.
    let corrections: RenormCorrections<Buffer>?
}
