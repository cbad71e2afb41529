/// Splitting a batch along N, as data parallelism does: N is the outermost dimension of every
/// layout, so a run of rows is a contiguous run of elements.
extension TensorShape {
    /// The rows that part `part` of `parts` takes when the batch is split as evenly as it goes:
    /// `[part·N/parts, (part + 1)·N/parts)`, so that parts differ by at most one row and, when N is
    /// below `parts`, some parts are empty.
    /// - Parameters:
    ///   - part: The part, from 0 to `parts − 1`.
    ///   - parts: The number of parts, at least 1.
    /// - Returns: The part's rows; empty for an empty part or arguments out of range.
    public func rows(ofPart part: Int, of parts: Int) -> Range<Int> {
        guard parts >= 1, (0..<parts).contains(part), n >= 0 else { return 0..<0 }
        return (part * n / parts)..<((part + 1) * n / parts)
    }

    /// The shape of some rows of this batch and where their elements lie in x.
    /// - Parameter rows: Rows within `0..<n`; clamped to it.
    /// - Returns: The shape with N = `rows.count` (0 for no rows) and the range of the rows' elements.
    public func slice(rows: Range<Int>) -> (shape: TensorShape, elements: Range<Int>) {
        let rows = rows.clamped(to: 0..<max(n, 0))
        let rowLength = ([c] + spatial).reduce(1, *)
        var shape = self
        shape.n = rows.count
        return (shape, (rows.lowerBound * rowLength)..<(rows.upperBound * rowLength))
    }
}
