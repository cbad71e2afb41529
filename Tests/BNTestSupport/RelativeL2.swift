/// The relative L2 error ‖actual − expected‖ / ‖expected‖ over a whole array: the measure PyTorch's
/// own accuracy figures use, reported beside the element-wise `ErrorMetric.worst`.
/// - Parameters:
///   - actual: The values under test.
///   - expected: The reference values, such as a float64 computation.
/// - Returns: The error; 0 when both are all zero, infinity when the lengths differ or only
///   `expected` is all zero.
public func relativeL2<Reference: BinaryFloatingPoint>(_ actual: [Float], _ expected: [Reference]) -> Double {
    guard actual.count == expected.count else { return .infinity }
    var difference = 0.0, reference = 0.0
    for (a, e) in zip(actual, expected) {
        let d = Double(a) - Double(e)
        difference += d * d
        reference += Double(e) * Double(e)
    }
    if reference == 0 { return difference == 0 ? 0 : .infinity }
    return (difference / reference).squareRoot()
}
