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

/// Records an issue unless dx, dγ and dβ of `actual` are each within `tolerance` of `expected`,
/// each judged at the magnitude the float64 reference gives it.
/// - Parameters:
///   - actual: The gradients under test.
///   - expected: The reference gradients: float64 or another backend's.
///   - scales: The float64 reference whose `dxScale`, `dGammaScale` and `dBetaScale` judge each output.
///   - tolerance: The largest acceptable error.
///   - label: What is compared, such as `[3, 5, 31, 37] NCHW spatial`.
///   - indexing: Locates dx's worst element for the message.
public func expectGradientsClose<Reference: BinaryFloatingPoint>(
    _ actual: BackwardResult, _ expected: (dx: [Reference], dGamma: [Reference], dBeta: [Reference]),
    scales: Float64Reference.Backward, tolerance: Double, _ label: String, indexing: TensorIndexing,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(actual.dx, expected.dx, scale: scales.dxScale, tolerance: tolerance, "dx of \(label)",
                locate: indexing.describe(index:), sourceLocation: sourceLocation)
    expectClose(actual.dGamma, expected.dGamma, scale: scales.dGammaScale, tolerance: tolerance, "dγ of \(label)",
                sourceLocation: sourceLocation)
    expectClose(actual.dBeta, expected.dBeta, scale: scales.dBetaScale, tolerance: tolerance, "dβ of \(label)",
                sourceLocation: sourceLocation)
}
