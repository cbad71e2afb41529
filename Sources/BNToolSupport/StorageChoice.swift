import ArgumentParser
import BatchNorm

/// How the tensors of a row are stored, as `--dtype` names it (``ElementType/shortName``).
enum StorageChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// `Float`.
    case f32
    /// IEEE half.
    case f16
    /// bfloat16.
    case bf16

    /// The library's element type.
    var elementType: ElementType {
        switch self {
        case .f32: .float32
        case .f16: .float16
        case .bf16: .bfloat16
        }
    }
}
