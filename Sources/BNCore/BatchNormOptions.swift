/// How the running statistics are blended with a batch's statistics.
public enum MomentumConvention: String, Sendable, Hashable, CaseIterable {
    /// PyTorch's: `running = (1 − momentum)·running + momentum·batch`; momentum is the weight of
    /// the new batch (default 0.1).
    case pytorch
    /// Keras's: `running = momentum·running + (1 − momentum)·batch`; momentum is the weight of the
    /// old value (default 0.99).
    case keras
}

/// The constants of a batch-norm layer. The defaults are PyTorch's `BatchNorm2d` defaults.
public struct BatchNormOptions: Sendable, Hashable {
    /// Added to the variance before the square root; must be positive and finite. Default 1e-5,
    /// PyTorch's, small enough not to bias unit-variance features and large enough to keep
    /// `1/√(σ² + ε)` finite for a constant feature.
    public var epsilon: Float
    /// The running-statistics momentum in `[0, 1]`, read by ``convention``. `nil` asks for a
    /// cumulative average: the k-th training batch gets weight 1/k, as PyTorch's `momentum=None`.
    public var momentum: Float?
    /// Whether the running variance receives the unbiased batch variance m/(m − 1)·σ² (PyTorch)
    /// or the biased σ² (Keras). The normalization itself always uses the biased σ².
    public var unbiasedRunningVariance: Bool
    /// Which values share one mean and variance.
    public var mode: NormalizationMode
    /// How ``momentum`` blends old and new statistics.
    public var convention: MomentumConvention
    /// The elementwise operation fused after the normalization (none by default): `.relu` or
    /// `.addRelu`, whose forward pass also takes z and backward pass also returns dz. A fused
    /// backward pass takes the fused forward pass's output to mask dy with.
    public var fusion: FusedOperation
    /// Batch Renormalization's limits for a training pass (``Renormalization``), or nil (the
    /// default) for batch norm. Inference and backward passes with running statistics ignore it.
    public var renormalization: Renormalization?
    /// Virtual batches (ghost batch norm, Keras's `virtual_batch_size`): a training pass normalizes
    /// each group of V consecutive samples with its own statistics, and blends the groups' averaged
    /// mean and variance into the running statistics once; V must divide N. nil (the default) takes
    /// the whole batch. The per-batch statistics (mean, invStd, r, d) then hold one value per group
    /// and feature, group by group. Inference and backward passes with running statistics ignore it.
    public var virtualBatchSize: Int?

    /// Options with PyTorch's conventions.
    /// - Parameters:
    ///   - epsilon: Added to the variance; default 1e-5 (PyTorch).
    ///   - momentum: The weight of a new batch in the running statistics; default 0.1 (PyTorch);
    ///     `nil` for a cumulative average.
    ///   - unbiasedRunningVariance: Store m/(m − 1)·σ² in the running variance; default `true` (PyTorch).
    ///   - mode: `.spatial` (per channel, the default) or `.perActivation`.
    ///   - fusion: The operation fused after the normalization; none by default.
    ///   - renormalization: Batch Renormalization's limits for training passes; nil (batch norm) by default.
    ///   - virtualBatchSize: Samples per virtual batch of a training pass; nil (the whole batch) by default.
    public init(
        epsilon: Float = 1e-5,
        momentum: Float? = 0.1,
        unbiasedRunningVariance: Bool = true,
        mode: NormalizationMode = .spatial,
        fusion: FusedOperation = .none,
        renormalization: Renormalization? = nil,
        virtualBatchSize: Int? = nil
    ) {
        self.epsilon = epsilon
        self.momentum = momentum
        self.unbiasedRunningVariance = unbiasedRunningVariance
        self.mode = mode
        self.convention = .pytorch
        self.fusion = fusion
        self.renormalization = renormalization
        self.virtualBatchSize = virtualBatchSize
    }

    /// Keras's conventions: `running = momentum·running + (1 − momentum)·batch`, and the running
    /// variance stores the biased batch variance, as Keras's `BatchNormalization` does (its
    /// `moving_variance` receives `ops.moments`' variance).
    /// - Parameters:
    ///   - momentum: The weight of the old running value; default 0.99 (Keras).
    ///   - epsilon: Added to the variance; default 1e-3 (Keras).
    /// - Returns: Options for `.spatial` mode with the Keras convention.
    public static func keras(momentum: Float = 0.99, epsilon: Float = 1e-3) -> BatchNormOptions {
        var options = BatchNormOptions(epsilon: epsilon, momentum: momentum, unbiasedRunningVariance: false)
        options.convention = .keras
        return options
    }
}
