/// A bfloat16 value: the upper 16 bits of a `Float` (sign, 8 exponent bits, 7 fraction bits), with
/// `Float`'s range and 8 significant bits. Swift has no such type; this one stores and converts.
public struct BFloat16: Sendable, Hashable, CustomStringConvertible {
    /// The 16 bits as stored.
    public var bitPattern: UInt16

    /// The value with these bits.
    /// - Parameter bitPattern: Sign, exponent and fraction, as a `Float`'s upper half.
    public init(bitPattern: UInt16) {
        self.bitPattern = bitPattern
    }

    /// `value` rounded to the nearest bfloat16, ties to even; a NaN stays a (quiet) NaN and an
    /// overflow rounds to infinity, as a device's conversion does.
    /// - Parameter value: A float.
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        } else {
            let roundingBias = 0x7FFF + ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
        }
    }

    /// The value as a `Float`, exactly.
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { floatValue.description }
}
