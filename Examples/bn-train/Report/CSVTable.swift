import Foundation

/// A table written as CSV (RFC 4180): a header line, then one line per row, fields separated by
/// commas, every line ending in `\n`.
///
/// RFC 4180 ends lines with CRLF; a bare line feed is what Unix tools, pandas and R's `read.csv`
/// write and read alike, so the file is `\n` throughout. A field is quoted only where it must be.
struct CSVTable: Sendable, Hashable {
    var header: [String]
    var rows: [[String]]

    /// - Parameters:
    ///   - header: The column names.
    ///   - rows: The rows, each as many fields as the header has names.
    init(header: [String], rows: [[String]] = []) {
        (self.header, self.rows) = (header, rows)
    }

    /// The table as CSV text, ending in a line feed.
    var text: String {
        ([header] + rows).map { $0.map(Self.field).joined(separator: ",") + "\n" }.joined()
    }

    /// `value` as one CSV field: in double quotes, with quotes doubled, when it holds a comma, a
    /// double quote, a line break or leading or trailing spaces (which some readers trim); as is otherwise.
    /// - Parameter value: The field's text.
    /// - Returns: The field as written.
    static func field(_ value: String) -> String {
        let needsQuotes = value.contains { $0 == "," || $0 == "\"" || $0.isNewline }
            || value.first == " " || value.last == " "
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` as a CSV number: the shortest text that reads back as the same `Double` ("0.1",
    /// "2.302585092994046"), and `nan`, `inf` or `-inf` for values that are not finite, which
    /// pandas and NumPy read as such.
    /// - Parameter value: The number.
    /// - Returns: The field's text.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return "\(value)"
    }
}
