/// How far one result is from another, the same way in the tests and in bn-gpu-bench.
package enum ErrorMetric {
    /// The largest error an OpenCL result may have against the CPU reference or float64, as the tests
    /// and bn-gpu-bench judge it. Float32's unit roundoff is 6e-8; each output is a few roundings on
    /// top of compensated sums whose error stays near that. On PoCL the worst error over the tests'
    /// grid is below 5e-7. 5e-6 leaves room for devices whose division and square root are not
    /// correctly rounded (up to 3 ulp in OpenCL's full profile) and for other summation orders, while
    /// a wrong index, a missed element or a wrong formula gives errors of order 1, and plain
    /// unshifted, uncompensated sums give 2.8e-5 to 1.6e-4 on the tests' mean-1000 cases.
    package static let openCLTolerance = 5e-6

    /// The worst element of a comparison.
    package struct Worst: Sendable, Hashable {
        /// The scaled error of that element; 0 when every element matches.
        package var error: Double
        /// Its index, or nil when every element matches.
        package var index: Int?
        package var actual: Float?
        package var expected: Double?
    }

    /// The largest `|actual − expected| / (|expected| + scale)` over the elements, where `scale`
    /// defaults to the root mean square of `expected`: an element near zero is judged against the
    /// typical magnitude of its array, since a sum's rounding error scales with the values summed,
    /// not with its own result. NaN matches NaN and an infinity matches itself; any other mismatch
    /// of NaN or infinity is an infinite error. Arrays of different lengths are an infinite error.
    /// - Parameters:
    ///   - actual: The values to judge.
    ///   - expected: The reference, such as a float64 computation.
    ///   - scale: A magnitude per element to judge against instead of the RMS, such as a feature's
    ///     standard deviation when judging its mean.
    /// - Returns: The worst element.
    package static func worst<Reference: BinaryFloatingPoint>(
        _ actual: [Float], _ expected: [Reference], scale: [Double]? = nil
    ) -> Worst {
        guard actual.count == expected.count, scale.map({ $0.count == expected.count }) ?? true else {
            return Worst(error: .infinity, index: nil)
        }
        var sumOfSquares = 0.0, finiteCount = 0
        for value in expected where value.isFinite {
            sumOfSquares += Double(value) * Double(value)
            finiteCount += 1
        }
        let rms = finiteCount == 0 ? 0 : (sumOfSquares / Double(finiteCount)).squareRoot()
        var worst = Worst(error: 0, index: nil)
        for index in actual.indices {
            let a = Double(actual[index]), e = Double(expected[index])
            let error: Double
            if a.isNaN || e.isNaN || a.isInfinite || e.isInfinite {
                error = (a.isNaN && e.isNaN) || a == e ? 0 : .infinity
            } else {
                let magnitude = abs(e) + (scale?[index] ?? rms)
                error = magnitude > 0 ? abs(a - e) / magnitude : abs(a - e)
            }
            if error > worst.error {
                worst = Worst(error: error, index: index, actual: actual[index], expected: e)
            }
        }
        return worst
    }
}
