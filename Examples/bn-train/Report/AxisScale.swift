import Foundation

/// One axis of a placed panel: its ticks and their labels, the data range it shows, and the map
/// from data to a fraction of the axis, linear or logarithmic.
struct AxisScale: Sendable, Hashable {
    /// The tick values, in increasing order.
    var ticks: [Double]
    /// The tick labels, one per value.
    var labels: [String]
    /// The data range the axis spans.
    var range: ClosedRange<Double>
    var isLogarithmic: Bool

    /// The scale of `axis` for data `values` (only the finite ones, and on a logarithmic axis only
    /// the positive ones, count): the axis's fixed range, or one fitted to the values and widened
    /// by `padding` of its length (in log space for a logarithmic axis) at each end.
    /// - Parameters:
    ///   - axis: The axis: its fixed range, integer ticks, scale.
    ///   - values: The data to fit.
    ///   - padding: The fraction of the fitted range to add at each end.
    ///   - maxTickCount: At most this many ticks.
    init(_ axis: ChartAxis, values: [Double], padding: Double, maxTickCount: Int) {
        isLogarithmic = axis.isLogarithmic
        if axis.isLogarithmic {
            let positive = values.filter { $0 > 0 && $0.isFinite }
            let fixed = axis.range.map { LogTicks(within: $0, maxCount: maxTickCount) }
            let log = fixed ?? LogTicks(covering: positive.min() ?? .nan, positive.max() ?? .nan,
                                        maxCount: maxTickCount)
            ticks = log.values
            labels = LogTicks.labels(log.values)
            let (low, high) = (log10(log.range.lowerBound), log10(log.range.upperBound))
            let pad = fixed == nil ? (high - low) * padding : 0
            range = pow(10, low - pad)...pow(10, high + pad)
        } else {
            let fixed = axis.range.map { NiceTicks(within: $0, maxCount: maxTickCount, isInteger: axis.isInteger) }
            let nice = fixed ?? NiceTicks(covering: values.min() ?? .nan, values.max() ?? .nan,
                                          maxCount: maxTickCount, isInteger: axis.isInteger)
            ticks = nice.values
            labels = nice.values.map(nice.label)
            let pad = fixed == nil ? (nice.range.upperBound - nice.range.lowerBound) * padding : 0
            range = (nice.range.lowerBound - pad)...(nice.range.upperBound + pad)
        }
    }

    /// Where `value` lies along the axis: 0 at the range's lower bound, 1 at its upper bound.
    /// - Parameter value: A data value.
    /// - Returns: The fraction; not finite where the value cannot be placed (not finite, or not
    ///   positive on a logarithmic axis).
    func fraction(_ value: Double) -> Double {
        guard isLogarithmic else {
            return (value - range.lowerBound) / (range.upperBound - range.lowerBound)
        }
        guard value > 0 else { return .nan }
        let low = log10(range.lowerBound)
        return (log10(value) - low) / (log10(range.upperBound) - low)
    }
}
