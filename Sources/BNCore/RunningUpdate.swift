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
            // PyTorch's momentum=None: the k-th batch gets weight 1/k, a cumulative average. A count
            // below zero, which no training step makes, counts as none.
            let take = 1 / (Double(max(batchesTracked, 0)) + 1)
            (keep, self.take) = (1 - take, take)
        case let (momentum?, .pytorch):
            (keep, take) = (1 - Double(momentum), Double(momentum))
        case let (momentum?, .keras):
            (keep, take) = (Double(momentum), 1 - Double(momentum))
        }
        varianceDivisor = Double(options.unbiasedRunningVariance ? valuesPerFeature - 1 : valuesPerFeature)
    }

    /// The running means after this batch: keep·running + take·batch per feature, in `Double`,
    /// rounded once to `Float`.
    /// - Parameters:
    ///   - running: The running means before the batch.
    ///   - batch: The batch's means.
    /// - Returns: The new running means.
    package func mean(blending running: [Float], with batch: [Double]) -> [Float] {
        zip(running, batch).map { Float(keep * Double($0) + take * $1) }
    }

    /// The running variances after this batch: keep·running + take·Σ(x − μ)²/``varianceDivisor``
    /// per feature, in `Double`, rounded once to `Float`.
    /// - Parameters:
    ///   - running: The running variances before the batch.
    ///   - squares: The batch's Σ(x − μ)² per feature.
    /// - Returns: The new running variances.
    package func variance(blending running: [Float], withSquares squares: [Double]) -> [Float] {
        zip(running, squares).map { Float(keep * Double($0) + take * $1 / varianceDivisor) }
    }

    /// The count after one more batch, saturating rather than trapping at `Int.max`.
    package static func counting(after batchesTracked: Int) -> Int {
        batchesTracked < .max ? max(batchesTracked, 0) + 1 : .max
    }
}
