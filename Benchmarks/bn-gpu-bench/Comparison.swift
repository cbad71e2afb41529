import Foundation

/// Our rows beside a peer's and the figures the targets judge: what `compare` computes, apart from
/// how it prints, so that tests can check the numbers.
///
/// Only our rows in f32 without fusion, of the three standard passes, count; a peer row matches by
/// shape, layout and pass. A row without a peer row is listed but left out of every summary.
struct Comparison {
    /// One of our rows and the peer's timing of the same shape, layout and pass, if it has one.
    struct Row {
        let ours: SavedReport.Row
        let pass: PassKind
        let peer: PeerReport.Timing?

        /// Peer ms / our ms, above 1 where ours is faster; nil without a peer row. Both sides count
        /// the same bytes, so it is also our GB/s over the peer's.
        var ratio: Double? { peer.map { $0.milliseconds / ours.medianMs } }
    }

    /// Our counted rows, in the report's order.
    let rows: [Row]
    /// Our rows not counted: another dtype, a fusion, or a split pass.
    let uncountedCount: Int
    /// What the document calls the peer: `PyTorch`, `ONNX Runtime`.
    let peerName: String

    /// - Parameters:
    ///   - ours: Our report.
    ///   - peer: The peer's; where it has two rows for one shape and layout, the first counts.
    ///   - peerName: What the document calls the peer.
    init(ours: SavedReport, peer: PeerReport, peerName: String = "PyTorch") {
        self.peerName = peerName
        var timings: [String: [PassKind: PeerReport.Timing]] = [:]
        for row in peer.rows where timings[Self.key(row.shape, row.layout)] == nil {
            timings[Self.key(row.shape, row.layout)] = row.timings
        }
        var rows: [Row] = []
        for row in ours.rows where row.dtype == "f32" && row.fuse == "none" && row.normalization == "batch" {
            guard let pass = PassKind.standard.first(where: { $0.reportName == row.pass }) else { continue }
            rows.append(Row(ours: row, pass: pass, peer: timings[Self.key(row.shape, row.layout)]?[pass]))
        }
        self.rows = rows
        uncountedCount = ours.rows.count - rows.count
    }

    private static func key(_ shape: ShapeSpec, _ layout: String) -> String { "\(shape) \(layout)" }

    /// The rows with a peer row: every summary is over these.
    var matched: [Row] { rows.filter { $0.peer != nil } }

    /// The rows without a peer row.
    var unmatched: [Row] { rows.filter { $0.peer == nil } }

    /// The geometric mean of ``Row/ratio`` over the matched rows of one pass and layout.
    /// - Parameters:
    ///   - pass: The pass.
    ///   - layout: `nchw`, `nhwc` or `nc`.
    /// - Returns: The mean, or nil when no row matches.
    func geometricMean(_ pass: PassKind, layout: String) -> Double? {
        let ratios = matched.filter { $0.pass == pass && $0.ours.layout == layout }.compactMap(\.ratio)
        guard !ratios.isEmpty else { return nil }
        return exp(ratios.map(log).reduce(0, +) / Double(ratios.count))
    }

    /// The matched row of a pass with the lowest fraction of copy, among those `isIncluded` keeps
    /// and that have a fraction.
    /// - Parameters:
    ///   - pass: The pass.
    ///   - isIncluded: Which rows count, such as those of 4-D shapes.
    /// - Returns: The row, or nil when none counts.
    func lowestFraction(_ pass: PassKind, where isIncluded: (Row) -> Bool) -> Row? {
        matched.filter { $0.pass == pass && $0.ours.fractionOfCopy != nil && isIncluded($0) }
            .min { $0.ours.fractionOfCopy! < $1.ours.fractionOfCopy! }
    }

    /// The three standard passes of one shape, summed on each side.
    struct PassTotals: Equatable {
        /// Our summed median ms.
        let ours: Double
        /// The peer's summed ms.
        let peer: Double
        /// Peer over ours, as ``Row/ratio``.
        var ratio: Double { peer / ours }
    }

    /// The summed ms of the standard passes of one shape, in the layout or layouts it ran in.
    /// - Parameter shape: The shape, such as 60×100.
    /// - Returns: The totals, or the passes that have no matched row (all of them when the shape did
    ///   not run).
    func passTotals(_ shape: ShapeSpec) -> Result<PassTotals, MissingPasses> {
        let shapeRows = matched.filter { $0.ours.shape == shape }
        let missing = PassKind.standard.filter { pass in !shapeRows.contains { $0.pass == pass } }
        guard missing.isEmpty else { return .failure(MissingPasses(passes: missing)) }
        return .success(PassTotals(ours: shapeRows.map(\.ours.medianMs).reduce(0, +),
                                   peer: shapeRows.compactMap(\.peer?.milliseconds).reduce(0, +)))
    }

    /// Passes without a matched row.
    struct MissingPasses: Error, Equatable {
        let passes: [PassKind]
    }

    /// The largest of our rows' errors against the CPU reference, over the matched rows; NaN when
    /// any row's error is unknown (the run wrote null, from a NaN), nil when no row matches.
    var largestError: Double? {
        let errors = matched.map { $0.ours.maxRelativeError ?? .nan }
        guard !errors.isEmpty else { return nil }
        return errors.contains(where: \.isNaN) ? .nan : errors.max()
    }
}
