import Foundation

/// The ticks of one axis, a "nice" step apart: 1, 2 or 5 times a power of ten, so that every
/// label is short and the step is read off at a glance.
struct NiceTicks: Sendable, Hashable {
    /// The step's leading digit: 1, 2 or 5.
    let mantissa: Int
    /// The step's power of ten.
    let exponent: Int
    /// The tick values, in increasing order.
    let values: [Double]
    /// The range the axis spans: from the first tick to the last when fitted to data, or the range
    /// that was fixed.
    let range: ClosedRange<Double>

    /// The distance between ticks.
    var step: Double { Self.value(1, mantissa: mantissa, exponent: exponent) }

    /// Ticks whose range covers `lower...upper`, from the multiple of the step at or below `lower`
    /// to the one at or above `upper`, as few as `maxCount` allows with the smallest nice step.
    /// A bound within a billionth of a step past a tick counts as on it, so that rounding noise
    /// (0.1 + 0.2 is 0.30000000000000004) costs no extra tick.
    ///
    /// An empty or degenerate range (one value, or bounds that are not finite) is widened so that
    /// there is still an axis: a single value `v` gets `v ± |v|/10`, zero gets `-1...1`, and no
    /// finite value at all gets `0...1`. Bounds beyond ±1e300 are clamped there.
    /// - Parameters:
    ///   - lower: The smallest value to show.
    ///   - upper: The largest value to show.
    ///   - maxCount: At most this many ticks (at least 2 are used).
    ///   - isInteger: Whether ticks must fall on whole numbers (a step of at least 1).
    init(covering lower: Double, _ upper: Double, maxCount: Int = 7, isInteger: Bool = false) {
        let (low, high) = Self.widened(lower, upper)
        let (mantissa, exponent) = Self.niceStep(low, high, maxCount: maxCount, isInteger: isInteger)
        let step = Self.value(1, mantissa: mantissa, exponent: exponent)
        let first = Self.floorIndex(low / step)
        let last = Self.ceilIndex(high / step)
        self.mantissa = mantissa
        self.exponent = exponent
        self.values = Self.values(first, last, mantissa: mantissa, exponent: exponent)
        self.range = values[0]...values[values.count - 1]
    }

    /// Ticks inside a fixed range, which the axis spans exactly.
    /// - Parameters:
    ///   - range: The axis range; one that is empty or not finite is fitted as
    ///     ``init(covering:_:maxCount:isInteger:)`` does.
    ///   - maxCount: At most this many ticks.
    ///   - isInteger: Whether ticks must fall on whole numbers.
    init(within range: ClosedRange<Double>, maxCount: Int = 7, isInteger: Bool = false) {
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound < range.upperBound else {
            self.init(covering: range.lowerBound, range.upperBound, maxCount: maxCount, isInteger: isInteger)
            return
        }
        // A step that gives at most maxCount ticks even where the range's ends fall on ticks.
        var (mantissa, exponent) = Self.niceStep(range.lowerBound, range.upperBound, maxCount: maxCount,
                                                 isInteger: isInteger)
        var values: [Double] = []
        while true {
            let step = Self.value(1, mantissa: mantissa, exponent: exponent)
            let first = Self.ceilIndex(range.lowerBound / step)
            let last = Self.floorIndex(range.upperBound / step)
            values = first <= last ? Self.values(first, last, mantissa: mantissa, exponent: exponent) : []
            if values.count <= max(maxCount, 2) { break }
            (mantissa, exponent) = Self.next(mantissa, exponent)
        }
        self.init(mantissa: mantissa, exponent: exponent, values: values, range: range)
    }

    private init(mantissa: Int, exponent: Int, values: [Double], range: ClosedRange<Double>) {
        (self.mantissa, self.exponent, self.values, self.range) = (mantissa, exponent, values, range)
    }

    /// A tick value as its label: as many decimals as the step has and no more ("0.2", "20",
    /// "1.5"), or in scientific notation when the step is very large or very small ("2e+07").
    /// - Parameter value: One of ``values``.
    /// - Returns: The label.
    func label(_ value: Double) -> String {
        // Beyond these powers of ten, fixed notation would need more than six or seven characters.
        let fixedExponents = -4...5
        guard fixedExponents.contains(exponent) else {
            guard value != 0 else { return "0" }
            let digits = max(0, Int((log10(abs(value))).rounded(.down)) - exponent)
            return String(format: "%.\(digits)e", value)
        }
        let text = String(format: "%.\(max(0, -exponent))f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// The bounds widened where they do not make a range of at least one representable step.
    private static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        switch (lower.isFinite, upper.isFinite) {
        case (false, false): return (0, 1)
        case (true, false): return widened(lower, lower)
        case (false, true): return widened(upper, upper)
        case (true, true): break
        }
        // Bounds beyond ±1e300 are clamped, so that spans and steps (up to 10 times the span) stay finite.
        let limit = 1e300
        let (low, high) = (max(min(lower, upper), -limit), min(max(lower, upper), limit))
        // A span this small next to the values is rounding, not data: 16 digits would not label it.
        let relativeResolution = 1e-9
        guard high - low <= max(abs(low), abs(high)) * relativeResolution else { return (low, high) }
        let middle = (low + high) / 2
        let half = middle == 0 ? 1 : abs(middle) / 10
        return (middle - half, middle + half)
    }

    /// The smallest nice step that labels `lower...upper` with at most `maxCount` ticks.
    private static func niceStep(_ lower: Double, _ upper: Double, maxCount: Int,
                                 isInteger: Bool) -> (mantissa: Int, exponent: Int) {
        let count = max(maxCount, 2)
        let rough = (upper - lower) / Double(count - 1)
        // One power of ten below the rough step, so that the search starts under the answer.
        var candidate = (mantissa: 1, exponent: Int(log10(rough).rounded(.down)) - 1)
        if isInteger { candidate.exponent = max(candidate.exponent, 0) }
        while true {
            let step = value(1, mantissa: candidate.mantissa, exponent: candidate.exponent)
            let ticks = ceilIndex(upper / step) - floorIndex(lower / step) + 1
            if ticks <= Double(count) { return candidate }
            candidate = next(candidate.mantissa, candidate.exponent)
        }
    }

    /// The next nice step up: 1 → 2 → 5 → 10.
    private static func next(_ mantissa: Int, _ exponent: Int) -> (mantissa: Int, exponent: Int) {
        switch mantissa {
        case 1: (2, exponent)
        case 2: (5, exponent)
        default: (1, exponent + 1)
        }
    }

    /// `index × mantissa × 10^exponent`, divided rather than multiplied by a power of ten when the
    /// exponent is negative, so that a tick such as 0.3 is the double nearest 0.3 and equals data
    /// written as 0.3. Adding zero turns -0 into 0.
    private static func value(_ index: Double, mantissa: Int, exponent: Int) -> Double {
        let scaled = index * Double(mantissa)
        let power = pow(10, Double(abs(exponent)))
        return (exponent < 0 ? scaled / power : scaled * power) + 0
    }

    private static func values(_ first: Double, _ last: Double, mantissa: Int, exponent: Int) -> [Double] {
        stride(from: first, through: last, by: 1).map { value($0, mantissa: mantissa, exponent: exponent) }
    }

    /// The quotient's floor, forgiving the last few bits of rounding: 0.3 / 0.1 is 2.9999999999999996,
    /// and 0.3 is still a tick.
    private static func floorIndex(_ quotient: Double) -> Double {
        (quotient + indexTolerance).rounded(.down)
    }

    private static func ceilIndex(_ quotient: Double) -> Double {
        (quotient - indexTolerance).rounded(.up)
    }

    /// Rounding error in a quotient of a value and a step: far above a few ulps of the small
    /// indices that axes have, far below the distance to the next index.
    private static let indexTolerance = 1e-9
}
