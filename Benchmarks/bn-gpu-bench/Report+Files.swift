import Foundation

extension Report {
    /// The `--json` document: `{ "device", "copy_gbps", "rows": [...] }`, one object per measured row;
    /// a number that is not finite is `null`.
    /// - Returns: UTF-8 JSON.
    /// - Throws: An `EncodingError`, which does not happen for these types.
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONReport(device: device.name, copyGBps: copy.gbps,
                                             rows: measuredRows.map(ReportRecord.init)))
    }

    /// The `--csv` table: a header line, then one line per measured row, in the JSON's columns.
    var csv: String {
        let lines = [ReportRecord.columns.joined(separator: ",")]
            + measuredRows.map { ReportRecord($0).csvFields.map(Self.csvField).joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field that holds a comma, a quote or a line break, doubling its quotes.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The top level of the JSON document; `compare` reads it back with the same keys (``SavedReport``).
struct JSONReport: Encodable {
    let device: String
    let copyGBps: Double
    let rows: [ReportRecord]

    enum CodingKeys: String, CodingKey {
        case device
        case copyGBps = "copy_gbps"
        case rows
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(copyGBps.isFinite ? copyGBps : nil, forKey: .copyGBps)
        try container.encode(rows, forKey: .rows)
    }
}

/// One row as the JSON and CSV files hold it: times in milliseconds. `compare` reads rows back with
/// the same keys (``SavedReport/Row``).
struct ReportRecord: Encodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case shape, layout, pass, backend, variant
        case medianMs = "median_ms"
        case minMs = "min_ms"
        case wallMedianMs = "wall_median_ms"
        case gbps
        case fractionOfCopy = "fraction_of_copy"
        case maxRelativeError = "max_rel_err"
        case speedupVersusCPU = "speedup_vs_cpu"
        // Added with --dtype and --fuse, then --normalization, then the settings' origin, after the
        // others so that the CSV's earlier columns stay put.
        case dtype, fuse, normalization, settings
    }

    /// The CSV header, in the JSON's key order.
    static let columns = CodingKeys.allCases.map(\.rawValue)

    let texts: [CodingKeys: String]
    let numbers: [CodingKeys: Double]

    init(_ row: BenchmarkRow) {
        texts = [.shape: row.benchCase.spec.description, .layout: row.benchCase.layout.rawValue,
                 .pass: row.benchCase.pass.reportName, .backend: row.backend, .variant: row.variant,
                 .dtype: row.benchCase.storage.shortName, .fuse: row.benchCase.activation.reportName,
                 .normalization: row.benchCase.normalization.rawValue, .settings: row.settings]
        numbers = [.medianMs: row.kernel.median * 1e3, .minMs: row.kernel.minimum * 1e3,
                   .wallMedianMs: row.wall.median * 1e3, .gbps: row.gbps, .fractionOfCopy: row.fractionOfCopy,
                   .maxRelativeError: row.maxRelativeError, .speedupVersusCPU: row.speedupVersusCPU]
    }

    /// The fields in ``columns`` order; a number that is not finite is empty.
    var csvFields: [String] {
        CodingKeys.allCases.map { key in
            texts[key] ?? numbers[key].flatMap { $0.isFinite ? String($0) : nil } ?? ""
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        for key in CodingKeys.allCases {
            if let text = texts[key] {
                try container.encode(text, forKey: key)
            } else {
                let number = numbers[key] ?? .nan
                try container.encode(number.isFinite ? number : nil, forKey: key)
            }
        }
    }
}
