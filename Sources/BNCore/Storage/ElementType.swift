/// How a tensor's elements are stored: x, y, dy, dx and the fused operations' z and dz.
///
/// Every statistic, parameter and gradient of γ and β stays `Float` whatever the tensors' storage,
/// and every kernel computes in `Float`: a 16-bit tensor is widened as it is read and rounded once,
/// to nearest even, as it is written, as mixed-precision training does. The tensors of one call
/// share x's element type.
public enum ElementType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary32, Swift's `Float`.
    case float32
    /// IEEE 754 binary16, Swift's `Float16`: 11 significant bits, finite up to 65504.
    case float16
    /// bfloat16 (``BFloat16``): a `Float`'s upper 16 bits, 8 significant bits and `Float`'s range.
    case bfloat16

    /// Bytes per element: 4 or 2.
    public var byteCount: Int { self == .float32 ? 4 : 2 }

    /// The unit roundoff: the largest relative error of rounding a value in the normal range to
    /// this type, half its machine epsilon (2⁻²⁴, 2⁻¹¹ and 2⁻⁸).
    public var unitRoundoff: Double {
        switch self {
        case .float32: 0x1p-24
        case .float16: 0x1p-11
        case .bfloat16: 0x1p-8
        }
    }

    /// How tables and the bench name it: `f32`, `f16` or `bf16`.
    public var shortName: String {
        switch self {
        case .float32: "f32"
        case .float16: "f16"
        case .bfloat16: "bf16"
        }
    }

    public var description: String { shortName }

    /// `value` rounded to this type, to nearest even, and widened back to `Float` (exactly).
    /// - Parameter value: A float.
    /// - Returns: The nearest value this type holds, as a `Float`; NaN stays NaN.
    public func rounded(_ value: Float) -> Float {
        switch self {
        case .float32: value
        case .float16: Float(Float16(value))
        case .bfloat16: BFloat16(value).floatValue
        }
    }
}
