/// The percentile of sorted values by linear interpolation between the two nearest ranks (NumPy's
/// default), so that the 50th percentile of an even count is the mean of the middle two.
/// - Parameters:
///   - sorted: Values in ascending order, at least one.
///   - percent: In 0...100.
/// - Returns: The percentile.
func percentile(ofSorted sorted: [Double], _ percent: Double) -> Double {
    let position = percent / 100 * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    let weight = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * weight
}

extension ProbeRecord {
    /// The record of `values` at `step`: their mean and 15th, 50th and 85th percentiles.
    /// - Parameters:
    ///   - step: Training steps taken.
    ///   - values: The unit's inputs over the probe examples, at least one.
    init(step: Int, values: [Float]) {
        let sorted = values.map(Double.init).sorted()
        self.init(step: step, mean: sorted.reduce(0, +) / Double(sorted.count),
                  p15: percentile(ofSorted: sorted, 15), p50: percentile(ofSorted: sorted, 50),
                  p85: percentile(ofSorted: sorted, 85))
    }
}
