import ArgumentParser
import BNCore

/// How tensors are stored, as the tools' `--dtype` names it (``ElementType/shortName``): the bench's
/// rows, bn-train's batch norms.
public enum StorageChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// `Float`.
    case f32
    /// IEEE half.
    case f16
    /// bfloat16.
    case bf16

    /// The library's element type.
    public var elementType: ElementType {
        switch self {
        case .f32: .float32
        case .f16: .float16
        case .bf16: .bfloat16
        }
    }
}
