/// The per-feature running mean and variance that inference normalizes with.
public struct RunningStatistics: Sendable, Hashable {
    /// The running mean, one value per feature.
    public var mean: [Float]
    /// The running variance, one value per feature (unbiased or biased as the options say).
    public var variance: [Float]
    /// How many training batches have updated these statistics (PyTorch's `num_batches_tracked`);
    /// a cumulative average (`momentum: nil`) weights the k-th batch by 1/k.
    public var batchesTracked: Int

    /// Fresh statistics: mean 0 and variance 1 for every feature, as PyTorch and Keras initialize them.
    /// - Parameter channels: The number of features.
    public init(channels: Int) {
        self.init(mean: [Float](repeating: 0, count: max(channels, 0)),
                  variance: [Float](repeating: 1, count: max(channels, 0)))
    }

    /// Statistics with the given values and no batches tracked.
    /// - Parameters:
    ///   - mean: The running mean.
    ///   - variance: The running variance.
    public init(mean: [Float], variance: [Float]) {
        self.mean = mean
        self.variance = variance
        self.batchesTracked = 0
    }
}
