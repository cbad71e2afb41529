import BatchNorm
import Foundation

/// Standard normal values from uniform pairs by the Box–Muller transform.
struct NormalSource {
    private var generator: SplitMix64
    private var spare: Double?

    /// - Parameter seed: The seed of the underlying ``SplitMix64``.
    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// The next value, mean 0 and standard deviation 1.
    mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        // u1 in (0, 1] so that the logarithm is finite.
        let u1 = Double((generator.next() >> 11) + 1) * 0x1p-53
        let u2 = Double(generator.next() >> 11) * 0x1p-53
        let radius = (-2 * log(u1)).squareRoot()
        spare = radius * sin(2 * .pi * u2)
        return radius * cos(2 * .pi * u2)
    }

    /// `count` values with the given mean and standard deviation.
    mutating func floats(count: Int, mean: Double = 0, deviation: Double = 1) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(Float(mean + deviation * next()))
        }
        return values
    }
}

/// The operands of every pass on one shape, drawn from a seed derived from the shape alone, so a
/// row's inputs do not depend on which other rows run.
struct SeededInputs {
    /// x ~ N(0.5, 1): an offset mean, so that statistics computed as E[x²] − E[x]² would show.
    let x: [Float]
    /// dy ~ N(0, 1).
    let dy: [Float]
    /// γ ~ N(1, 0.1) per channel.
    let gamma: [Float]
    /// β ~ N(0, 0.1) per channel.
    let beta: [Float]
    /// Running mean ~ N(0, 0.1) and running variance 1 + |N(0, 0.25)| per channel, for inference.
    let running: RunningStatistics

    /// - Parameter shape: The shape; its channels are the features (`.spatial` mode).
    init(shape: ShapeSpec) {
        var normals = NormalSource(seed: Self.seed(for: shape))
        x = normals.floats(count: shape.elementCount, mean: 0.5)
        dy = normals.floats(count: shape.elementCount)
        gamma = normals.floats(count: shape.channels, mean: 1, deviation: 0.1)
        beta = normals.floats(count: shape.channels, deviation: 0.1)
        running = RunningStatistics(
            mean: normals.floats(count: shape.channels, deviation: 0.1),
            variance: normals.floats(count: shape.channels, deviation: 0.25).map { 1 + abs($0) })
    }

    /// A seed that depends on the dimensions alone: each folded into a SplitMix64 step.
    private static func seed(for shape: ShapeSpec) -> UInt64 {
        var seed: UInt64 = 0x626E_6265_6E63_68  // "bnbench"
        for dimension in shape.dimensions {
            var step = SplitMix64(seed: seed ^ UInt64(dimension))
            seed = step.next()
        }
        return seed
    }
}
