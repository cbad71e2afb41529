import BNCore
import Testing

/// The tolerances of the suite, each with its reason. Errors are measured by `ErrorMetric.worst`:
/// `|actual − expected| / (|expected| + scale)`, with the scale each output is judged at.
public enum Tolerance {
    /// OpenCL, in float32 with compensated sums, against float64 or the CPU reference: the bound
    /// bn-gpu-bench holds its error column to as well (`ErrorMetric.openCLTolerance`, which says why).
    public static let openCL = ErrorMetric.openCLTolerance
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
