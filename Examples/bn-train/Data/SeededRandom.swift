import BNToolSupport

/// The example's seeded numbers: BNToolSupport's SplitMix64, the generator of the bench and the
/// tests, with one stream per purpose of a run, so that a seed gives the same data, split, initial
/// weights and batch order on every machine.
struct SeededRandom: RandomNumberGenerator {
    private var source: SplitMix64

    /// - Parameter seed: Any value; equal seeds give equal sequences.
    init(seed: UInt64) {
        source = SplitMix64(seed: seed)
    }

    /// A stream for one purpose of one run, such as the shuffle of epoch 7, unrelated to the others:
    /// its seed is the first output of a generator seeded with the run's seed, the purpose and the
    /// index combined, so that neighbouring seeds, purposes and epochs start far apart.
    /// - Parameters:
    ///   - seed: The run's seed.
    ///   - stream: What the numbers are for.
    ///   - index: Which one of them (an epoch), 0 when there is one.
    init(seed: UInt64, stream: Stream, index: Int = 0) {
        var mixer = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ stream.rawValue &* 0x1_0000_0001
            &+ UInt64(truncatingIfNeeded: index))
        self.init(seed: mixer.next())
    }

    /// The purposes a run draws numbers for.
    enum Stream: UInt64 {
        case data = 1, split, weights, shuffle
    }

    mutating func next() -> UInt64 {
        source.next()
    }

    /// A standard normal sample, by the Box–Muller transform (`standardNormal()`).
    mutating func normal() -> Double {
        standardNormal()
    }
}
