import BNCore
import Testing

/// The tolerances of the suite, each with its reason. Errors are measured by `ErrorMetric.worst`:
/// `|actual − expected| / (|expected| + scale)`, with the scale each output is judged at.
public enum Tolerance {
    /// OpenCL, in float32 with compensated sums, against float64 or the CPU reference. Float32's unit
    /// roundoff is 6e-8; each output is a few roundings on top of sums whose error stays near that
    /// (compensated work-item sums, a tree of at most 8 levels, a compensated merge). On PoCL the
    /// worst error over the equivalence grid is 4.7e-7 (y of a 1M-value channel; 2.3e-7 at mean
    /// 1000 and standard deviation 1). 5e-6 leaves room for devices whose division and square root
    /// are not correctly rounded (up to 3 ulp in OpenCL's full profile) and for other summation
    /// orders, while a wrong index, a missed element or a wrong formula gives errors of order 1,
    /// and plain unshifted, uncompensated sums give 2.8e-5 to 1.6e-4 on the mean-1000 cases.
    public static let openCL = 5e-6
    /// The CPU reference against the tests' float64 reference: both compute in Double and differ
    /// by the final rounding to Float (half an ulp, 6e-8) and summation order (1e-16 relative).
    public static let cpuReference = 1e-6
}

/// Records an issue unless `actual` is within `tolerance` of `expected`, naming the worst element
/// and where it is. Returns the worst error, for reports.
/// - Parameters:
///   - actual: The values under test.
///   - expected: The reference values.
///   - scale: The magnitude each element is judged at (see `ErrorMetric.worst`); nil for the RMS of `expected`.
///   - tolerance: The largest acceptable error.
///   - label: What is compared, such as `y of [3, 5, 31, 37] NCHW`.
///   - locate: Describes an index for the message, such as `n=1 c=2 s=[3, 4]`.
@discardableResult
public func expectClose<Reference: BinaryFloatingPoint>(
    _ actual: [Float], _ expected: [Reference], scale: [Double]? = nil, tolerance: Double, _ label: String,
    locate: (Int) -> String = { "index \($0)" }, sourceLocation: SourceLocation = #_sourceLocation
) -> Double {
    guard actual.count == expected.count else {
        Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return .infinity
    }
    let worst = ErrorMetric.worst(actual, expected, scale: scale)
    if !(worst.error <= tolerance) {
        let place = worst.index.map(locate) ?? "unknown"
        Issue.record("""
            \(label): worst error \(worst.error) at \(place): got \(worst.actual.map { "\($0)" } ?? "?"), \
            expected \(worst.expected.map { "\($0)" } ?? "?") (tolerance \(tolerance))
            """, sourceLocation: sourceLocation)
    }
    return worst.error
}
