import BNCore
import Testing

/// A labelled test shape: the dimensions, layout and data profile of one case.
public struct TestCase: Sendable, CustomStringConvertible {
    /// How x is drawn.
    public enum Profile: Sendable {
        /// Per channel, a mean in about [-2, 2] and a spread in about [0.5, 2].
        case standard
        /// Every value near `mean` with standard deviation `spread`: the case where a sum of x
        /// loses the deviations unless it is shifted or compensated.
        case offset(mean: Double, spread: Double)
    }

    public var label: String
    public var shape: TensorShape
    public var profile: Profile

    public init(_ label: String, _ shape: TensorShape, profile: Profile = .standard) {
        self.label = label
        self.shape = shape
        self.profile = profile
    }

    public var description: String { "\(label) \(shape)" }
}

extension TestCase: CustomTestStringConvertible {
    public var testDescription: String { description }
}

/// Every input of one case, drawn from a seed.
public struct TestInputs: Sendable {
    public var x: [Float]
    public var dy: [Float]
    public var gamma: [Float]
    public var beta: [Float]
    public var running: RunningStatistics

    /// Inputs for `testCase` in `mode`: x by the case's profile (channel by channel), dy standard
    /// normal, γ near 1, β near 0, running statistics near (0, 1).
    public init(_ testCase: TestCase, mode: NormalizationMode, seed: UInt64 = 2015) {
        let indexing = TensorIndexing(shape: testCase.shape, mode: mode)
        var random = SeededGenerator(seed: seed)
        let channels = testCase.shape.c
        let (means, spreads): ([Double], [Double])
        switch testCase.profile {
        case .standard:
            means = (0..<channels).map { _ in Double.random(in: -2...2, using: &random) }
            spreads = (0..<channels).map { _ in Double.random(in: 0.5...2, using: &random) }
        case let .offset(mean, spread):
            means = Array(repeating: mean, count: channels)
            spreads = Array(repeating: spread, count: channels)
        }
        var x = [Float](repeating: 0, count: indexing.elementCount)
        for n in 0..<testCase.shape.n {
            for c in 0..<channels {
                for s in 0..<indexing.spatialSize {
                    x[indexing.index(n: n, c: c, s: s)] = Float(means[c] + spreads[c] * random.normal())
                }
            }
        }
        let features = indexing.featureCount
        self.x = x
        self.dy = random.normals(indexing.elementCount)
        self.gamma = random.normals(features, mean: 1, standardDeviation: 0.5)
        self.beta = random.normals(features, mean: 0, standardDeviation: 0.5)
        self.running = RunningStatistics(mean: random.normals(features, standardDeviation: 0.5),
                                         variance: (0..<features).map { _ in Float.random(in: 0.5...2, using: &random) })
    }
}
