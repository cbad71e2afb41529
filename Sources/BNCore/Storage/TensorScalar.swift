/// A Swift type that holds a tensor element as stored: `Float`, `Float16` or ``BFloat16``. Uploads
/// and downloads of tensors in a 16-bit ``ElementType`` go through these types, bit for bit.
public protocol TensorScalar: BitwiseCopyable, Sendable {
    /// The storage this type holds.
    static var elementType: ElementType { get }
    /// The nearest value of this type, ties to even.
    /// - Parameter value: A float.
    init(rounding value: Float)
    /// The value as a `Float`, exactly.
    var floatValue: Float { get }
}

extension Float: TensorScalar {
    public static var elementType: ElementType { .float32 }
    public init(rounding value: Float) { self = value }
    public var floatValue: Float { self }
}

extension Float16: TensorScalar {
    public static var elementType: ElementType { .float16 }
    public init(rounding value: Float) { self.init(value) }
    public var floatValue: Float { Float(self) }
}

extension BFloat16: TensorScalar {
    public static var elementType: ElementType { .bfloat16 }
    public init(rounding value: Float) { self.init(value) }
}
