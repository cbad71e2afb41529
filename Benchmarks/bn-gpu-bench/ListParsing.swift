import ArgumentParser
import Foundation

extension CaseIterable where Self: RawRepresentable & Equatable, Self.RawValue == String {
    /// Parses a comma-separated list of cases, such as `nchw,nhwc`, dropping repeats.
    /// - Parameters:
    ///   - text: The option's value.
    ///   - noun: What one item is, for the error message ("pass", "layout").
    /// - Returns: The cases in the order given.
    /// - Throws: `ValidationError` naming the unknown item and the accepted ones.
    static func parseList(_ text: String, noun: String) throws -> [Self] {
        var list: [Self] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = item.trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else {
                throw ValidationError("'\(text)' has an empty \(noun); separate them with single commas")
            }
            guard let value = Self(rawValue: name) else {
                let accepted = allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown \(noun) '\(item)'; use a comma-separated list of \(accepted)")
            }
            if !list.contains(value) {
                list.append(value)
            }
        }
        return list
    }
}
