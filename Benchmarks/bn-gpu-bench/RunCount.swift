import ArgumentParser

/// A count of timed runs, as `run --iterations` and `tune --runs` take it.
enum RunCount {
    /// 1 to 10,000. The full timing plan stops a row's kernel loop at 10,000 runs anyway, and the
    /// bound keeps a slip of the keyboard (an extra digit or two) from running for days: every run
    /// up to the count is taken whatever the time.
    static let range = 1...10_000

    /// The range as help and errors write it: "1 to 10000".
    static let rangeText = "\(range.lowerBound) to \(range.upperBound)"

    /// Parses a count strictly: an optional sign and ASCII decimal digits, within ``range``.
    ///
    /// ArgumentParser prefixes the message with the option and the value, so it names neither.
    /// - Parameter text: The option's value.
    /// - Returns: The count.
    /// - Throws: `ValidationError` saying what is wrong and what to give instead.
    static func parse(_ text: String) throws -> Int {
        let wanted = "give a count from \(rangeText)"
        guard let value = Int(text) else {
            // Digits that Int refuses are too many for it.
            let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
            let isDigits = !unsigned.isEmpty && unsigned.allSatisfy { $0.isASCII && $0.isNumber }
            throw ValidationError(isDigits ? "out of range; \(wanted)" : "not a whole number; \(wanted)")
        }
        guard value >= range.lowerBound else {
            throw ValidationError("\(value) is less than \(range.lowerBound); \(wanted)")
        }
        guard value <= range.upperBound else {
            throw ValidationError("\(value) is more than \(range.upperBound); \(wanted)")
        }
        return value
    }
}
