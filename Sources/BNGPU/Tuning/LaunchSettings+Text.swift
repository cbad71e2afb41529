import BNCore

/// What is wrong with one line of a tuning table's text; the table's parser adds the source and the
/// line number when it turns this into `BatchNormError.invalidTuningTable`.
struct TuningTextProblem: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

extension LaunchSettings {
    /// The keys of the text form, in the order ``description`` writes them.
    static let textKeys = LaunchSettingsKnob.allCases.map(\.rawValue)

    /// The keys every row must give. `span` came later and may be left out: it then takes 1, what
    /// the kernels did before it existed, so older tables still load.
    static let requiredKeys = textKeys.filter { $0 != LaunchSettingsKnob.interleavedSpan.rawValue }

    /// Settings from the `key=value` fields of a tuning table's row, in any order.
    /// - Parameter fields: The fields after the row's class, one `key=value` each; every key of
    ///   ``textKeys`` exactly once.
    /// - Throws: `TuningTextProblem` for a field that is not `key=value`, an unknown, repeated or
    ///   missing key, a value that is not a whole number, or one outside its range (see ``textProblem``).
    init(textFields fields: some Sequence<Substring>) throws(TuningTextProblem) {
        var values: [String: Int] = [:]
        for field in fields {
            guard let equals = field.firstIndex(of: "="), equals != field.startIndex else {
                throw TuningTextProblem("expected key=value, got \"\(field)\"")
            }
            let key = String(field[..<equals])
            let text = field[field.index(after: equals)...]
            guard Self.textKeys.contains(key) else {
                throw TuningTextProblem("unknown key \"\(key)\"; expected \(Self.textKeys.joined(separator: ", "))")
            }
            guard values[key] == nil else {
                throw TuningTextProblem("key \(key) appears twice; give each key once")
            }
            guard let value = Int(text) else {
                throw TuningTextProblem("\(key)=\(text) is not a whole number")
            }
            values[key] = value
        }
        let missing = Self.requiredKeys.filter { values[$0] == nil }
        guard missing.isEmpty else {
            throw TuningTextProblem("missing \(missing.joined(separator: ", ")); a row needs all of "
                + Self.requiredKeys.joined(separator: ", "))
        }
        self.init(vectorWidth: values["vector"]!, reductionGroupSize: values["group"]!,
                  valuesPerChunk: values["chunk"]!, elementwiseColumns: values["columns"]!,
                  valuesPerElementwiseItem: values["items"]!, residentFeatureBytes: values["resident"]!,
                  interleavedSpan: values["span"] ?? 1)
        if let problem = textProblem {
            throw TuningTextProblem(problem)
        }
    }

    /// Settings from a tuning table row's fields in one string, such as
    /// `vector=16 group=1 chunk=16384 columns=1 items=16384 resident=524288` (``description``'s form).
    /// - Parameter text: The `key=value` fields, separated by spaces (`span` may be left out).
    /// - Throws: `BatchNormError.invalidOption` naming the problem.
    package init(parsing text: String) throws {
        do {
            try self.init(textFields: text.split(whereSeparator: \.isWhitespace))
        } catch {
            throw BatchNormError.invalidOption(name: "launch settings", value: text, reason: error.message)
        }
    }

    /// The most that chunk, items and resident may give: 2⁴⁰, more floats (or bytes) than any device
    /// holds in one buffer, and small enough that a plan's products of them (items × columns) stay
    /// within `Int`, where larger values trapped.
    static let maximumCount = 1 << 40

    /// The first value a tuning table refuses, as the text form names it, or nil when every value is
    /// in range: vector 1, 2, 4, 8 or 16; group and columns powers of two; chunk and items from 1 and
    /// resident from 0, each at most ``maximumCount``.
    var textProblem: String? {
        func isPowerOfTwo(_ value: Int) -> Bool { value >= 1 && value & (value - 1) == 0 }
        if !KernelVariant.vectorWidths.contains(vectorWidth) {
            return "vector=\(vectorWidth) is not one of 1, 2, 4, 8, 16"
        }
        if !isPowerOfTwo(reductionGroupSize) {
            return "group=\(reductionGroupSize) is not a power of two (1, 2, 4, …)"
        }
        if valuesPerChunk < 1 {
            return "chunk=\(valuesPerChunk) is less than 1"
        }
        if !isPowerOfTwo(elementwiseColumns) {
            return "columns=\(elementwiseColumns) is not a power of two (1, 2, 4, …)"
        }
        if valuesPerElementwiseItem < 1 {
            return "items=\(valuesPerElementwiseItem) is less than 1"
        }
        if residentFeatureBytes < 0 {
            return "resident=\(residentFeatureBytes) is negative; 0 turns resident features off"
        }
        for (key, value) in [("chunk", valuesPerChunk), ("items", valuesPerElementwiseItem), ("resident", residentFeatureBytes)]
        where value > Self.maximumCount {
            return "\(key)=\(value) is more than 2^40 (\(Self.maximumCount))"
        }
        if !KernelVariant.vectorWidths.contains(interleavedSpan) {
            return "span=\(interleavedSpan) is not one of 1, 2, 4, 8, 16"
        }
        return nil
    }
}
