/// What one device knows of a batch's per-feature statistics: how many values it saw, their mean
/// and their M2 (the sum of squared deviations from that mean), in `Double`.
///
/// Devices that train on parts of one batch exchange these and merge them with Chan, Golub and
/// LeVeque's parallel formula (``merged(with:)``), so that every device normalizes with the
/// statistics of the whole batch, as PyTorch's `SyncBatchNorm` does. Exchanging (count, mean, M2)
/// rather than PyTorch's (mean, invstd) keeps the variance free of the cancellation that
/// E[x²] − E[x]² suffers when the mean is far from zero.
public struct PartialStatistics: Sendable, Hashable {
    /// The values per feature this part holds (m of the part); 0 for a device with an empty batch.
    public var count: Int
    /// The mean of each feature over this part; 0 where the part is empty.
    public var mean: [Double]
    /// Σ (x − mean)² of each feature over this part.
    public var m2: [Double]

    /// - Parameters:
    ///   - count: The values per feature, at least 0.
    ///   - mean: The mean of each feature.
    ///   - m2: The sum of squared deviations from the mean, per feature; as many as `mean`.
    public init(count: Int, mean: [Double], m2: [Double]) {
        self.count = count
        self.mean = mean
        self.m2 = m2
    }

    /// The part of a device with no values: the identity of ``merged(with:)``.
    /// - Parameter features: The number of features.
    /// - Returns: Count 0, means and M2 of 0.
    public static func empty(features: Int) -> PartialStatistics {
        PartialStatistics(count: 0, mean: Array(repeating: 0, count: features), m2: Array(repeating: 0, count: features))
    }

    /// The number of features.
    public var features: Int { mean.count }

    /// The biased variance M2 / count of each feature (what normalization uses); 0 for an empty part.
    public var variance: [Double] {
        m2.map { count > 0 ? $0 / Double(count) : 0 }
    }

    /// The statistics of this part and `other` together, by Chan's parallel formula: with
    /// n = nA + nB and δ = meanB − meanA, mean = meanA + δ·nB/n and M2 = M2A + M2B + δ²·nA·nB/n.
    /// An empty part returns the other unchanged, bit for bit. The result depends on the order of
    /// the operands only by rounding; merging the same parts in the same order repeats bit for bit.
    /// - Parameter other: Another part of the same features.
    /// - Returns: The merged statistics.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` when the parts have different
    ///   numbers of features or a count below zero.
    public func merged(with other: PartialStatistics) throws -> PartialStatistics {
        try check()
        try other.check()
        guard features == other.features else {
            throw BatchNormError.statisticsMismatch(reason: "one part has \(features) features and another \(other.features); every device must normalize the same features")
        }
        if other.count == 0 { return self }
        if count == 0 { return other }
        let total = Double(count + other.count), ownCount = Double(count), otherCount = Double(other.count)
        var result = PartialStatistics(count: count + other.count, mean: mean, m2: m2)
        for feature in 0..<features {
            let delta = other.mean[feature] - mean[feature]
            result.mean[feature] = mean[feature] + delta * (otherCount / total)
            result.m2[feature] = m2[feature] + other.m2[feature] + delta * delta * (ownCount * otherCount / total)
        }
        return result
    }

    /// The parts merged from the first to the last, one after another: the order every device of a
    /// group uses (rank order), so that all of them get the same bits.
    /// - Parameter parts: At least one part, all of the same features.
    /// - Returns: The statistics of all parts together.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` for no parts or parts that differ
    ///   in their features.
    public static func merged(_ parts: [PartialStatistics]) throws -> PartialStatistics {
        guard let first = parts.first else {
            throw BatchNormError.statisticsMismatch(reason: "there are no parts to merge; a group has at least one device")
        }
        return try parts.dropFirst().reduce(first) { try $0.merged(with: $1) }
    }

    /// Throws unless the counts and lengths are consistent.
    func check() throws {
        guard count >= 0 else {
            throw BatchNormError.statisticsMismatch(reason: "a part counts \(count) values; counts are at least 0")
        }
        guard mean.count == m2.count else {
            throw BatchNormError.statisticsMismatch(reason: "a part has \(mean.count) means but \(m2.count) M2 values")
        }
    }
}
