import Foundation

/// A JSON report that `compare` reads: read whole and decoded, every failure turned into one
/// sentence that names the file and what is wrong with it.
enum ReportFile {
    /// A report that could not be read or does not hold what it should.
    struct ReadError: Error, CustomStringConvertible {
        /// The path as given.
        var path: String
        /// What is wrong, such as `rows[3] has no "median_ms"`.
        var problem: String
        var description: String { "\(path): \(problem)" }
    }

    /// Reads and decodes one report.
    /// - Parameters:
    ///   - type: What the file should hold.
    ///   - path: The file, as given on the command line.
    ///   - expected: What the file should be, for a message about its contents: "a report of `bn-gpu-bench --json`".
    /// - Returns: The decoded report.
    /// - Throws: ``ReadError`` when the file cannot be read, is not JSON, or lacks a key or value.
    static func load<Report: Decodable>(_ type: Report.Type, from path: String, expected: String) throws -> Report {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReadError(path: path, problem: "cannot be read (\(error.fileSystemReason)); check the path")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ReadError(path: path, problem: problem(error, in: data) + "; expected \(expected)")
        } catch {
            throw ReadError(path: path, problem: "\(error); expected \(expected)")
        }
    }

    /// A decoding error as a sentence about the file: `rows[3].median_ms is not a number`.
    private static func problem(_ error: DecodingError, in data: Data) -> String {
        switch error {
        case let .keyNotFound(key, context):
            return "\(place(context.codingPath)) has no \"\(key.stringValue)\""
        case let .valueNotFound(_, context):
            return "\(place(context.codingPath)) is null"
        case let .typeMismatch(type, context):
            return "\(place(context.codingPath)) is not \(noun(type) ?? context.debugDescription)"
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            return "is not valid JSON" + (syntaxError(in: data).map { " (\($0))" } ?? "")
        case let .dataCorrupted(context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// Where the text stops being JSON, as JSONSerialization says it ("Invalid value around character
    /// 6."), which the decoder's error does not; nil when it does not say.
    private static func syntaxError(in data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }

    /// Where in the document a value sits, as JSON paths write it: `rows[3].median_ms`, or
    /// `[3].train_ms` in a bare list.
    private static func place(_ path: [any CodingKey]) -> String {
        guard !path.isEmpty else { return "the document" }
        return path.reduce("") { place, key in
            if let index = key.intValue {
                return "\(place)[\(index)]"
            }
            return place.isEmpty ? key.stringValue : "\(place).\(key.stringValue)"
        }
    }

    /// What a JSON value of a type is called; nil for a type the reports do not hold.
    private static func noun(_ type: Any.Type) -> String? {
        switch type {
        case is Double.Type: "a number"
        case is String.Type: "a string"
        case is [Any].Type: "a list"
        case is [String: Any].Type: "an object"
        default: nil
        }
    }
}
