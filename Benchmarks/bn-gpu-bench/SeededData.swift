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
    private(set) var x: [Float]
    /// dy ~ N(0, 1).
    private(set) var dy: [Float]
    /// γ ~ N(1, 0.1) per channel.
    let gamma: [Float]
    /// β ~ N(0, 0.1) per channel.
    let beta: [Float]
    /// Running mean ~ N(0, 0.1) and running variance 1 + |N(0, 0.25)| per channel, for inference.
    let running: RunningStatistics
    /// add-relu's second input z ~ N(0, 1), drawn after the others so that they are the same with
    /// or without it; nil unless asked for.
    private(set) var z: [Float]?
    /// How the tensors (x, dy, z) are stored: every value is representable in it, so that each
    /// backend reads the same numbers. Per-feature arrays stay `Float`.
    private(set) var storage = ElementType.float32

    /// - Parameters:
    ///   - shape: The shape; its channels are the features (`.spatial` mode).
    ///   - drawsZ: Whether to draw z, for add-relu rows.
    init(shape: ShapeSpec, drawsZ: Bool = false) {
        var normals = NormalSource(seed: Self.seed(for: shape))
        x = normals.floats(count: shape.elementCount, mean: 0.5)
        dy = normals.floats(count: shape.elementCount)
        gamma = normals.floats(count: shape.channels, mean: 1, deviation: 0.1)
        beta = normals.floats(count: shape.channels, deviation: 0.1)
        running = RunningStatistics(
            mean: normals.floats(count: shape.channels, deviation: 0.1),
            variance: normals.floats(count: shape.channels, deviation: 0.25).map { 1 + abs($0) })
        z = drawsZ ? normals.floats(count: shape.elementCount) : nil
    }

    /// The inputs with x, dy and z rounded to `storage` (to nearest even), as a row of that storage
    /// uploads them; the CPU reference then computes from exactly the values the device reads.
    /// - Parameter storage: The tensors' element type.
    /// - Returns: The rounded inputs.
    func stored(as storage: ElementType) -> SeededInputs {
        guard storage != .float32 else { return self }
        var copy = self
        copy.x = x.map(storage.rounded)
        copy.dy = dy.map(storage.rounded)
        copy.z = z?.map(storage.rounded)
        copy.storage = storage
        return copy
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
