import BNCore

/// The text form: a few lines per device, for people to read and diff.
///
/// ```
/// # BatchNorm tuning table (written by `bn-gpu-bench tune`); one block per device.
/// device: pthread-skylake-avx512-Intel(R) Xeon(R) Processor
/// driver: 6.0+debian
/// planar small     vector=16 group=1 chunk=16384 columns=1 items=16384 resident=1048576
/// interleaved huge vector=16 group=16 chunk=65536 columns=1 items=16384 resident=0
/// ```
///
/// `device:` starts a block and the next line is its `driver:`; each row is a ``ShapeClass`` and
/// then the `key=value` fields of ``LaunchSettings``, in any order (`span` may be left out and is
/// then 1). Blank lines and lines that start with `#` are ignored wherever they are.
extension TuningTable {
    /// The comment that opens every table ``text`` writes.
    static let textHeader = "# BatchNorm tuning table (written by `bn-gpu-bench tune`); one block per device."

    /// Parses a table's text form.
    /// - Parameters:
    ///   - text: The text, as ``text`` writes it.
    ///   - source: Where the text comes from (a file's path), named by errors.
    /// - Throws: `BatchNormError.invalidTuningTable` with the 1-based line at fault: a row before any
    ///   `device:` line, a `device:` not followed by `driver:`, an empty device name or driver version,
    ///   a second block for the same device and driver version, an unknown traversal or size, a class
    ///   given twice in a block, an unknown, repeated or missing key, a value that is not a whole
    ///   number, or one out of range (vector 1, 2, 4, 8 or 16; group and columns powers of two; chunk
    ///   and items at least 1; resident at least 0).
    package init(text: String, source: String) throws {
        func refusal(_ line: Int, _ problem: String) -> BatchNormError {
            .invalidTuningTable(source: source, line: line, problem: problem)
        }
        var entries: [Entry] = []
        var blockLines: [Int] = []
        var rowLines: [ShapeClass: Int] = [:]
        var device: (name: String, line: Int)?

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }

            if let pending = device {
                guard let version = line.value(after: "driver:") else {
                    throw refusal(number, "expected `driver: <version>` after `device:` on line \(pending.line), got \"\(line)\"")
                }
                guard !version.isEmpty else {
                    throw refusal(number, "`driver:` needs the device's driver version (CL_DRIVER_VERSION)")
                }
                if let earlier = entries.firstIndex(where: { $0.matches(deviceName: pending.name, driverVersion: version) }) {
                    throw refusal(pending.line, "device \"\(pending.name)\" with driver \(version) already has a block "
                        + "at line \(blockLines[earlier]); keep one of the two")
                }
                entries.append(Entry(deviceName: pending.name, driverVersion: version))
                blockLines.append(pending.line)
                rowLines = [:]
                device = nil
            } else if let name = line.value(after: "device:") {
                guard !name.isEmpty else {
                    throw refusal(number, "`device:` needs the device's name (CL_DEVICE_NAME)")
                }
                device = (name, number)
            } else if line.value(after: "driver:") != nil {
                throw refusal(number, "`driver:` without a `device:` line right before it")
            } else {
                guard !entries.isEmpty else {
                    throw refusal(number, "a row before any `device:` line; start the block with "
                        + "`device: <name>` and `driver: <version>`")
                }
                let fields = line.split(whereSeparator: \.isWhitespace)
                let shapeClass: ShapeClass
                do throws(TuningTextProblem) {
                    shapeClass = try ShapeClass(textFields: fields)
                } catch {
                    throw refusal(number, error.message)
                }
                if let earlier = rowLines[shapeClass] {
                    throw refusal(number, "\(shapeClass) already has a row at line \(earlier) in this block")
                }
                do throws(TuningTextProblem) {
                    entries[entries.count - 1].rows[shapeClass] = try LaunchSettings(textFields: fields.dropFirst(2))
                } catch {
                    throw refusal(number, error.message)
                }
                rowLines[shapeClass] = number
            }
        }
        if let pending = device {
            throw refusal(pending.line, "`device:` is not followed by a `driver: <version>` line")
        }
        self.init(entries: entries)
    }

    /// The table in its text form: the header comment, then one block per entry, blank lines between
    /// blocks, rows in ``ShapeClass/allCases`` order with the class names padded so that the settings
    /// line up.
    ///
    /// ``init(text:source:)`` reads it back to an equal table when every value is in range, no two
    /// entries share a device name and driver version, and names and versions are single non-empty
    /// lines without surrounding whitespace.
    package var text: String {
        var lines = [Self.textHeader]
        for (index, entry) in entries.enumerated() {
            if index > 0 { lines.append("") }
            lines.append("device: \(entry.deviceName)")
            lines.append("driver: \(entry.driverVersion)")
            let classes = ShapeClass.allCases.filter { entry.rows[$0] != nil }
            let width = classes.map(\.description.count).max() ?? 0
            for shapeClass in classes {
                let name = shapeClass.description
                let padding = String(repeating: " ", count: width - name.count + 1)
                lines.append(name + padding + entry.rows[shapeClass]!.description)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ShapeClass {
    /// The class a tuning table's row starts with: its first two fields, `<traversal> <size>`.
    /// - Parameter fields: The row's fields; those after the first two are not read.
    /// - Throws: `TuningTextProblem` for an unknown traversal or size.
    init(textFields fields: [Substring]) throws(TuningTextProblem) {
        guard let first = fields.first, let traversal = Traversal(rawValue: String(first)) else {
            let names = Traversal.allCases.map(\.rawValue).joined(separator: " or ")
            throw TuningTextProblem("unknown traversal \"\(fields.first ?? "")\"; expected \(names), "
                + "or a `device:` or `driver:` line")
        }
        guard fields.count > 1, let size = Size(rawValue: String(fields[1])) else {
            let names = Size.allCases.map(\.rawValue).joined(separator: ", ")
            let got = fields.count > 1 ? "\"\(fields[1])\"" : "nothing"
            throw TuningTextProblem("unknown size \(got) after \(traversal.rawValue); expected \(names)")
        }
        self.init(traversal: traversal, size: size)
    }
}

extension Substring {
    /// The text without leading and trailing whitespace.
    fileprivate func trimmingWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    /// The trimmed rest of a line that starts with `heading`, or nil when it does not.
    fileprivate func value(after heading: String) -> String? {
        guard hasPrefix(heading) else { return nil }
        return String(dropFirst(heading.count).trimmingWhitespace())
    }
}
