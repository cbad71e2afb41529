// The tests draw through BNToolSupport's normals(_:mean:standardDeviation:), as the bench and the
// examples do.
@_exported import BNToolSupport

/// A small deterministic generator (SplitMix64), so that every test sees the same data on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var source: SplitMix64

    public init(seed: UInt64) {
        source = SplitMix64(seed: seed)
    }

    public mutating func next() -> UInt64 {
        source.next()
    }

    /// A standard normal sample (Box–Muller, `standardNormal()`).
    public mutating func normal() -> Double {
        standardNormal()
    }
}
