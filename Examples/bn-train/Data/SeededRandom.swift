import BNToolSupport

/// A seeded generator (xoshiro256**), so that a seed gives the same data, split, initial weights
/// and batch order on every machine.
struct SeededRandom: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// - Parameter seed: Any value; its 256-bit state is spread from it by a Weyl sequence and a
    ///   bit mixer, so that neighbouring seeds give unrelated streams.
    init(seed: UInt64) {
        var weyl = seed
        func spread() -> UInt64 {
            weyl &+= 0x9E37_79B9_7F4A_7C15
            var z = weyl
            z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
            z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
            return z ^ (z >> 33)
        }
        state = (spread(), spread(), spread(), spread())
    }

    /// A stream for one purpose of one run, such as the shuffle of epoch 7, unrelated to the others.
    /// - Parameters:
    ///   - seed: The run's seed.
    ///   - stream: What the numbers are for.
    ///   - index: Which one of them (an epoch), 0 when there is one.
    init(seed: UInt64, stream: Stream, index: Int = 0) {
        self.init(seed: seed &* 0x2545_F491_4F6C_DD1D &+ stream.rawValue &* 0x1_0000_0001 &+ UInt64(truncatingIfNeeded: index))
    }

    /// The purposes a run draws numbers for.
    enum Stream: UInt64 {
        case data = 1, split, weights, shuffle
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    /// A standard normal sample, by the Box–Muller transform (`standardNormal()`).
    mutating func normal() -> Double {
        standardNormal()
    }
}
