/// The per-feature sums a backward pass needs from every device that holds part of a batch:
/// Σ dy, Σ dy·(x − mean) and Σ (x − mean), with `mean` the float batch mean the synchronized forward
/// pass wrote. Devices add theirs up (`StatisticsCommunicator.allReduceSum(_:)`) and each then
/// computes dγ, dβ and its part of dx from the totals.
///
/// Σ (x − mean) is what rounding the mean to a float lost, times the count; the backward pass
/// centers on the exact mean with it, as the single-device pass does.
public struct GradientSums: Sendable, Hashable {
    /// Values per feature these sums cover (m).
    public var count: Int
    /// Σ dy per feature: dβ once summed over every device.
    public var sumDy: [Double]
    /// Σ dy·(x − mean) per feature.
    public var sumDyCentered: [Double]
    /// Σ (x − mean) per feature.
    public var sumCentered: [Double]

    /// - Parameters:
    ///   - count: The values per feature, at least 0.
    ///   - sumDy: Σ dy per feature.
    ///   - sumDyCentered: Σ dy·(x − mean) per feature.
    ///   - sumCentered: Σ (x − mean) per feature.
    public init(count: Int, sumDy: [Double], sumDyCentered: [Double], sumCentered: [Double]) {
        self.count = count
        self.sumDy = sumDy
        self.sumDyCentered = sumDyCentered
        self.sumCentered = sumCentered
    }

    /// The sums of a device with no values.
    /// - Parameter features: The number of features.
    /// - Returns: Count 0 and sums of 0.
    public static func zero(features: Int) -> GradientSums {
        let zeros = [Double](repeating: 0, count: features)
        return GradientSums(count: 0, sumDy: zeros, sumDyCentered: zeros, sumCentered: zeros)
    }

    /// The number of features.
    public var features: Int { sumDy.count }

    /// The count and the three sums in one array, `1 + 3·features` long, as an all-reduce sends them.
    public var flattened: [Double] {
        [Double(count)] + sumDy + sumDyCentered + sumCentered
    }

    /// Sums read back from ``flattened``.
    /// - Parameters:
    ///   - flattened: `1 + 3·features` values: the count, then the three sums.
    ///   - features: The number of features.
    /// - Throws: ``BatchNormError/statisticsMismatch(reason:)`` when the length or the count is wrong.
    public init(flattened: [Double], features: Int) throws {
        guard features >= 0, flattened.count == 1 + 3 * features else {
            throw BatchNormError.statisticsMismatch(reason: "\(flattened.count) summed values do not hold the count and three sums of \(features) features; every device must reduce the same features")
        }
        guard let count = Int(exactly: flattened[0]), count >= 0 else {
            throw BatchNormError.statisticsMismatch(reason: "the summed count \(flattened[0]) is not a whole number of values")
        }
        let sums = flattened.dropFirst()
        self.init(count: count, sumDy: Array(sums.prefix(features)),
                  sumDyCentered: Array(sums.dropFirst(features).prefix(features)),
                  sumCentered: Array(sums.suffix(features)))
    }

    /// dβ, dγ and the mean's residual per feature, from sums over the whole batch:
    /// residual = Σ(x − mean)/m, dγ = invStd·(Σ dy·(x − mean) − residual·Σ dy), dβ = Σ dy.
    /// - Parameter invStd: The inverse standard deviation per feature.
    /// - Returns: The three arrays, in `Double`.
    package func parameterGradients(invStd: [Float]) -> (dGamma: [Double], dBeta: [Double], residual: [Double]) {
        let m = Double(count)
        let residual = sumCentered.map { count > 0 ? $0 / m : 0 }
        let dGamma = (0..<features).map { Double(invStd[$0]) * (sumDyCentered[$0] - residual[$0] * sumDy[$0]) }
        return (dGamma, sumDy, residual)
    }
}
