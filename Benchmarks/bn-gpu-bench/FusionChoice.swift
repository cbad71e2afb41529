import ArgumentParser
import BatchNorm
import Foundation

/// The activation `--fuse` names: none (batch norm alone, the default), relu, or add-relu (the
/// residual block's relu(bn(x) + z)).
enum FusionChoice: String, CaseIterable, Sendable, ExpressibleByArgument {
    case none
    case relu
    case addRelu = "add-relu"

    /// The library's fused operation.
    var operation: FusedOperation {
        switch self {
        case .none: .none
        case .relu: .relu
        case .addRelu: .addRelu
        }
    }

    /// Parses one name, case-insensitively.
    /// - Parameter text: The option's value.
    /// - Returns: The choice.
    /// - Throws: `ValidationError` naming the value and the accepted ones.
    static func parse(_ text: String) throws -> FusionChoice {
        guard let choice = FusionChoice(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let accepted = allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown activation '\(text)'; use one of \(accepted)")
        }
        return choice
    }
}
