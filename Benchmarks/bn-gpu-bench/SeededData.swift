import BatchNorm
import BNToolSupport

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
        var random = SplitMix64(seed: Self.seed(for: shape))
        x = random.normals(shape.elementCount, mean: 0.5)
        dy = random.normals(shape.elementCount)
        gamma = random.normals(shape.channels, mean: 1, standardDeviation: 0.1)
        beta = random.normals(shape.channels, standardDeviation: 0.1)
        running = RunningStatistics(
            mean: random.normals(shape.channels, standardDeviation: 0.1),
            variance: random.normals(shape.channels, standardDeviation: 0.25).map { 1 + abs($0) })
        z = drawsZ ? random.normals(shape.elementCount) : nil
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
