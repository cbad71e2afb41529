/// The per-feature statistics a backward pass normalizes x with, which also decide its formula.
///
/// `Value` is a backend's buffer for the buffer form and `[Float]` for the array form.
public enum BackwardStatistics<Value> {
    /// The batch mean and inverse standard deviation a training forward pass returned: the
    /// gradient flows through both (dx = γ·invStd/m·(m·dy − Σ dy − x̂·Σ dy·x̂)).
    case batch(mean: Value, invStd: Value)
    /// Running statistics held fixed, as an inference forward pass used them (fine-tuning with
    /// batch norm in inference mode): dx = dy·γ/√(variance + ε).
    case running(mean: Value, variance: Value)

    /// Whether these are a forward pass's batch statistics.
    package var isBatch: Bool {
        if case .batch = self { true } else { false }
    }

    /// The statistics with each value transformed, such as uploaded to a backend.
    package func map<Other>(_ transform: (Value) throws -> Other) rethrows -> BackwardStatistics<Other> {
        switch self {
        case .batch(let mean, let invStd): .batch(mean: try transform(mean), invStd: try transform(invStd))
        case .running(let mean, let variance): .running(mean: try transform(mean), variance: try transform(variance))
        }
    }
}

extension BackwardStatistics: Sendable where Value: Sendable {}

extension BackwardStatistics where Value: BatchNormBuffer {
    /// Frozen running statistics given as a backend's buffers.
    /// - Parameter statistics: The running statistics the forward pass normalized with.
    /// - Returns: `.running(mean:variance:)` of their buffers.
    public static func running(_ statistics: RunningStatisticsBuffers<Value>) -> BackwardStatistics {
        .running(mean: statistics.mean, variance: statistics.variance)
    }
}

extension BackwardStatistics where Value == [Float] {
    /// Frozen running statistics given as arrays.
    /// - Parameter statistics: The running statistics the forward pass normalized with.
    /// - Returns: `.running(mean:variance:)` of their arrays.
    public static func running(_ statistics: RunningStatistics) -> BackwardStatistics {
        .running(mean: statistics.mean, variance: statistics.variance)
    }
}
