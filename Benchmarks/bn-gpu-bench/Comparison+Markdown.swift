import Foundation

/// `compare`'s output: a header, the table, the rows without a peer row, and the target lines.
extension Comparison {
    /// Where the two reports came from and what they say about themselves, for the header.
    struct Sources {
        /// Our report's path.
        let oursPath: String
        /// Our device's name.
        let device: String
        /// Our copy ceiling in GB/s.
        let oursCopyGBps: Double?
        /// The peer's report's path.
        let peerPath: String
        /// The peer's copy ceiling in GB/s, when its file has one.
        let peerCopyGBps: Double?
    }

    /// The whole Markdown document.
    /// - Parameters:
    ///   - sources: The files and their headers.
    ///   - label: What the target lines start with.
    /// - Returns: The document, ending with a newline.
    func markdown(_ sources: Sources, label: String) -> String {
        var lines = ["# bn-gpu-bench against \(peerName)", ""] + header(sources) + [""] + table
        if !unmatched.isEmpty {
            lines += ["", "No \(peerName) row in \(sources.peerPath) for "
                + unmatched.map { "\($0.ours.shape) \($0.ours.layout) \($0.pass.reportName)" }.joined(separator: ", ")
                + "; \(unmatched.count == 1 ? "it is" : "they are") left out of every line below."]
        }
        lines += ["", "```text"] + targetLines(label: label) + ["```"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header's list: both devices' ceilings, and which rows count.
    func header(_ sources: Sources) -> [String] {
        let gbps = { (value: Double?) in value.map { Format.decimal($0, digits: 2) + " GB/s" } ?? "not in the file" }
        return [
            "- ours (\(sources.oursPath)): \(sources.device), copy ceiling \(gbps(sources.oursCopyGBps))",
            "- \(peerName) (\(sources.peerPath)): copy ceiling \(gbps(sources.peerCopyGBps))",
            "- counted: our f32 rows without fusion of \(PassKind.standard.map(\.reportName).joined(separator: ", "))"
                + (uncountedCount == 0 ? "" : " (\(uncountedCount) other row\(uncountedCount == 1 ? "" : "s") left out)")
                + "; ours / \(peerName) = \(peerName) ms / ours ms, medians of each side's timing (ours: kernel time); "
                + "both count the same bytes, so GB/s compare as times do",
        ]
    }

    /// One Markdown table row per counted row; "—" where the peer has no row.
    var table: [String] {
        let titles = ["shape", "layout", "pass", "ours ms", "ours GB/s", "% of copy", "\(peerName) ms", "\(peerName) GB/s",
                      "ours / \(peerName)", "max rel err"]
        let missing = "—"
        let number = { (value: Double?, digits: Int) in value.map { Format.decimal($0, digits: digits) } ?? missing }
        let body = rows.map { row in
            [row.ours.shape.description, row.ours.layout, row.pass.reportName, Self.milliseconds(row.ours.medianMs),
             number(row.ours.gbps, 2), row.ours.fractionOfCopy.map { Format.decimal(100 * $0, digits: 0) } ?? missing,
             row.peer.map { Self.milliseconds($0.milliseconds) } ?? missing, number(row.peer?.gbps, 2),
             number(row.ratio, 2), row.ours.maxRelativeError.map(Format.error) ?? missing]
        }
        let alignment = titles.indices.map { $0 < 3 ? "---" : "---:" }
        return ([titles, alignment] + body).map { "| " + $0.joined(separator: " | ") + " |" }
    }
}
