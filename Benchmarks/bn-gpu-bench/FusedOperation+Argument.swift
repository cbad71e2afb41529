import ArgumentParser
import BatchNorm
import Foundation

/// `--fuse`'s values are the library's own names: none (batch norm alone, the default), relu, or
/// add-relu (the residual block's relu(bn(x) + z)).
extension FusedOperation {
    /// Parses one name, case-insensitively.
    /// - Parameter text: The option's value.
    /// - Returns: The operation.
    /// - Throws: `ValidationError` naming the value and the accepted ones.
    static func parse(_ text: String) throws -> FusedOperation {
        guard let operation = FusedOperation(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            let accepted = allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown activation '\(text)'; use one of \(accepted)")
        }
        return operation
    }
}
