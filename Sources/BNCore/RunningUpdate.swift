/// How one training batch moves the running statistics:
/// `running = keep·running + take·batch`, with the batch variance `Σ(x − μ)² / varianceDivisor`.
package struct RunningUpdate: Sendable, Hashable {
    /// The weight of the old running value.
    package let keep: Double
    /// The weight of the batch statistic.
    package let take: Double
    /// m − 1 for the unbiased variance (PyTorch), m for the biased one (Keras).
    package let varianceDivisor: Double

    /// The update for the next batch.
    /// - Parameters:
    ///   - options: The momentum, its convention and which variance is stored.
    ///   - batchesTracked: Batches already counted, before this one.
    ///   - valuesPerFeature: m, the values reduced per feature.
    package init(options: BatchNormOptions, batchesTracked: Int, valuesPerFeature: Int) {
        switch (options.momentum, options.convention) {
        case (nil, _):
            // PyTorch's momentum=None: the k-th batch gets weight 1/k, a cumulative average.
            let take = 1 / Double(batchesTracked + 1)
            (keep, self.take) = (1 - take, take)
        case let (momentum?, .pytorch):
            (keep, take) = (1 - Double(momentum), Double(momentum))
        case let (momentum?, .keras):
            (keep, take) = (Double(momentum), 1 - Double(momentum))
        }
        varianceDivisor = Double(options.unbiasedRunningVariance ? valuesPerFeature - 1 : valuesPerFeature)
    }
}
