import BatchNorm
import BNToolSupport

/// The whole batch and the layer's parameters, drawn from a seed, so that every rank holds the same
/// values without sending them: each takes its rows for the synchronized pass, and all of them for
/// the single-process reference.
struct SeededBatch {
    let shape: TensorShape
    /// x uniform in [3, 7): a mean far from 0, where statistics merged carelessly lose digits.
    let x: [Float]
    /// dy uniform in [-1, 1).
    let dy: [Float]
    /// γ uniform in [0.8, 1.2) per channel.
    let gamma: [Float]
    /// β uniform in [-0.2, 0.2) per channel.
    let beta: [Float]
    /// Running mean uniform in [-0.1, 0.1), running variance in [1, 1.5), per channel.
    let running: RunningStatistics

    /// - Parameters:
    ///   - shape: The whole batch's shape; its channels are the features.
    ///   - seed: Equal seeds give equal batches on every rank and machine.
    init(shape: TensorShape, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func uniform(_ count: Int, in range: Range<Float>) -> [Float] {
            (0..<count).map { _ in Float.random(in: range, using: &random) }
        }
        let count = ([shape.n, shape.c] + shape.spatial).reduce(1, *)
        self.shape = shape
        x = uniform(count, in: 3..<7)
        dy = uniform(count, in: -1..<1)
        gamma = uniform(shape.c, in: 0.8..<1.2)
        beta = uniform(shape.c, in: -0.2..<0.2)
        running = RunningStatistics(mean: uniform(shape.c, in: -0.1..<0.1), variance: uniform(shape.c, in: 1..<1.5))
    }
}

