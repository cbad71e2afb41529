import Foundation

/// The ticks of a logarithmic axis: at 1, 2 and 5 times each power of ten where the data span few
/// decades, at powers of ten alone where they span more, and at every second, fifth, tenth ...
/// power of ten where they span very many.
struct LogTicks: Sendable, Hashable {
    /// The tick values, in increasing order, all positive.
    let values: [Double]
    /// The range the axis spans: from the first tick to the last when fitted, or the range fixed.
    let range: ClosedRange<Double>

    /// Ticks whose range covers the positive values `lower...upper`, from the tick at or below
    /// `lower` to the one at or above `upper`, with the densest tick set that keeps to `maxCount`.
    ///
    /// Bounds that are not positive and finite are replaced (by the other bound, or by 1...10 when
    /// neither is usable); bounds beyond 1e±300 are clamped there, and a single value is widened to
    /// the ticks either side of it.
    /// - Parameters:
    ///   - lower: The smallest value to show.
    ///   - upper: The largest value to show.
    ///   - maxCount: At most this many ticks (at least 2 are used).
    init(covering lower: Double, _ upper: Double, maxCount: Int = 7) {
        let (low, high) = Self.usable(lower, upper)
        for set in Self.tickSets {
            let all = Self.candidates(set, from: low, to: high)
            // The last candidate at or below `low` and the first at or above `high`, forgiving rounding.
            guard let first = all.lastIndex(where: { $0 <= low * (1 + Self.tolerance) }),
                  let last = all.firstIndex(where: { $0 >= high * (1 - Self.tolerance) }) else { continue }
            let count = last - first + 1
            if count <= max(maxCount, 2) && (count >= 2 || set.decades > 1) {
                let values = Array(all[first...last])
                let widened = values.count >= 2 ? values : [values[0], all[min(last + 1, all.count - 1)]]
                self.init(values: widened, range: widened[0]...widened[widened.count - 1])
                return
            }
        }
        // Unreachable: a stride of 10^300 decades gives two ticks for any range. Kept total anyway.
        self.init(values: [low, high], range: low...high)
    }

    /// Ticks inside a fixed positive range, which the axis spans exactly; a range that is not
    /// positive and finite is fitted as ``init(covering:_:maxCount:)`` does.
    /// - Parameters:
    ///   - range: The axis range.
    ///   - maxCount: At most this many ticks.
    init(within range: ClosedRange<Double>, maxCount: Int = 7) {
        let (low, high) = (range.lowerBound, range.upperBound)
        guard low > 0, high.isFinite, low < high else {
            self.init(covering: low, high, maxCount: maxCount)
            return
        }
        for set in Self.tickSets {
            let inside = Self.candidates(set, from: low, to: high)
                .filter { $0 >= low * (1 - Self.tolerance) && $0 <= high * (1 + Self.tolerance) }
            if inside.count <= max(maxCount, 2) {
                self.init(values: inside, range: range)
                return
            }
        }
        self.init(values: [], range: range)
    }

    private init(values: [Double], range: ClosedRange<Double>) {
        (self.values, self.range) = (values, range)
    }

    /// Tick values as their labels, in one notation for the whole axis: fixed ("0.05", "2", "100")
    /// when every value lies within 1e-4...1e5, where fixed notation stays short, and scientific
    /// ("1e-7", "2e0", "1e8") for all of them otherwise, so that neighbouring labels read alike.
    /// - Parameter values: Tick values, all positive and finite.
    /// - Returns: One label per value.
    static func labels(_ values: [Double]) -> [String] {
        let fixedExponents = -4...5
        let exponents = values.map { Int((log10($0) + tolerance).rounded(.down)) }
        guard exponents.allSatisfy(fixedExponents.contains) else {
            return zip(values, exponents).map { value, exponent in
                "\(Int((value / pow(10, Double(exponent))).rounded()))e\(exponent)"
            }
        }
        return zip(values, exponents).map { value, exponent in String(format: "%.\(max(0, -exponent))f", value) }
    }

    /// A family of tick values: these leading digits, in every `decades`-th decade.
    private struct TickSet {
        var mantissas: [Int]
        var decades: Int
    }

    /// The tick sets from densest to sparsest: 1-2-5 in every decade, then powers of ten every 1,
    /// 2, 5, 10, 20, 50 ... decades, up to the 10^300 that the clamped bounds never exceed.
    private static let tickSets: [TickSet] = {
        var sets = [TickSet(mantissas: [1, 2, 5], decades: 1)]
        var stride = 1
        while stride <= 1000 {
            sets += [1, 2, 5].map { TickSet(mantissas: [1], decades: stride * $0) }
            stride *= 10
        }
        return sets
    }()

    /// Every value of `set` from the decade at or below `low` to the one above `high`, sorted.
    private static func candidates(_ set: TickSet, from low: Double, to high: Double) -> [Double] {
        let lowDecade = Int(log10(low).rounded(.down))
        let start = Int((Double(lowDecade) / Double(set.decades)).rounded(.down)) * set.decades
        let end = Int(log10(high).rounded(.up)) + set.decades
        return stride(from: start, through: end, by: set.decades).flatMap { exponent in
            set.mantissas.map { value(Double($0), exponent: exponent) }
        }
    }

    /// `mantissa × 10^exponent`, divided by a power of ten for negative exponents so that 0.05 is
    /// the double nearest 0.05.
    private static func value(_ mantissa: Double, exponent: Int) -> Double {
        let power = pow(10, Double(abs(exponent)))
        return exponent < 0 ? mantissa / power : mantissa * power
    }

    /// Bounds that are positive and finite, clamped to 1e±300 so that a decade either side stays a
    /// normal double.
    private static func usable(_ lower: Double, _ upper: Double) -> (Double, Double) {
        let limit = 1e300
        let usable = [lower, upper].filter { $0 > 0 && $0.isFinite }.map { min(max($0, 1 / limit), limit) }
        guard let low = usable.min(), let high = usable.max() else { return (1, 10) }
        return (low, high)
    }

    /// Relative rounding forgiven when comparing a bound with a tick: far above a few ulps, far below
    /// the 2-to-1 ratio between neighbouring ticks.
    private static let tolerance = 1e-9
}
