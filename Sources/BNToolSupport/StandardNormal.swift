import Foundation

extension RandomNumberGenerator {
    /// A standard normal sample by the Box–Muller transform: u in [ε, 1) so that the logarithm is
    /// finite, v in [0, 1), and √(−2 ln u)·cos 2πv. The one normal draw of the tests, the bench and
    /// the examples, so that a seed gives the same values wherever it is drawn.
    /// - Returns: A value of mean 0 and standard deviation 1.
    package mutating func standardNormal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// `count` normal samples with the given mean and standard deviation, as floats.
    /// - Parameters:
    ///   - count: How many.
    ///   - mean: Their mean; 0 by default.
    ///   - standardDeviation: Their standard deviation; 1 by default.
    /// - Returns: The samples, each rounded once to `Float`.
    package mutating func normals(_ count: Int, mean: Double = 0, standardDeviation: Double = 1) -> [Float] {
        (0..<count).map { _ in Float(mean + standardDeviation * standardNormal()) }
    }
}
