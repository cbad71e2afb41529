/// im2col and its adjoint: the input values each output position's 3×3 window covers, laid out so
/// that the convolution is one matrix product, and the scatter-add that carries a gradient with
/// respect to those windows back to the input. Positions outside the image read zero (the padding)
/// and receive nothing. Each pair walks the same (patch entry, input position) pairs, from one
/// visitor, so that the two cannot disagree.
extension Convolution {
    /// The window of output position (row, column) at tap (ky, kx) reads input position
    /// (row + ky − 1, column + kx − 1), or nil in the padding.
    @inline(__always)
    static func source(_ row: Int, _ column: Int, tap: Int, height: Int, width: Int) -> (row: Int, column: Int)? {
        let padding = kernel / 2
        let sourceRow = row + tap / kernel - padding, sourceColumn = column + tap % kernel - padding
        guard (0..<height).contains(sourceRow), (0..<width).contains(sourceColumn) else { return nil }
        return (sourceRow, sourceColumn)
    }

    /// NHWC: calls `body(entry, input)` for each entry of the patch matrix, one row per output
    /// position (image, row, column) with its columns in (ky, kx, channel) order, that reads an
    /// input value (a run of C channels per tap), with the entry's and the input's positions.
    @inline(__always)
    static func forEachPatchRowEntry(of x: FeatureMap, _ body: (Int, Int) -> Void) {
        let width = taps * x.c
        for image in 0..<x.n {
            for row in 0..<x.h {
                for column in 0..<x.w {
                    let origin = ((image * x.h + row) * x.w + column) * width
                    for tap in 0..<taps {
                        guard let source = source(row, column, tap: tap, height: x.h, width: x.w) else { continue }
                        let start = x.index(image, 0, source.row, source.column)
                        for channel in 0..<x.c { body(origin + tap * x.c + channel, start + channel) }
                    }
                }
            }
        }
    }

    /// NHWC: one row per output position, its columns the window in (ky, kx, channel) order.
    static func patchRows(_ x: FeatureMap) -> Matrix {
        var result = Matrix(rows: x.n * x.h * x.w, columns: taps * x.c)
        forEachPatchRowEntry(of: x) { entry, input in result.values[entry] = x.values[input] }
        return result
    }

    /// The adjoint of ``patchRows(_:)``: each window value of `gradient` added into the input
    /// position it was read from.
    static func addingPatchRows(_ gradient: Matrix, like x: FeatureMap) -> FeatureMap {
        var result = FeatureMap(n: x.n, c: x.c, h: x.h, w: x.w, layout: x.layout)
        forEachPatchRowEntry(of: x) { entry, input in result.values[input] += gradient.values[entry] }
        return result
    }

    /// NCHW, one image: calls `body(entry, input)` for each entry of the patch matrix, one row per
    /// (channel, ky, kx) and one column per output position, that reads an input value.
    @inline(__always)
    static func forEachPatchColumnEntry(of x: FeatureMap, image: Int, _ body: (Int, Int) -> Void) {
        let plane = x.h * x.w
        for channel in 0..<x.c {
            for tap in 0..<taps {
                let origin = (channel * taps + tap) * plane
                for row in 0..<x.h {
                    for column in 0..<x.w {
                        guard let source = source(row, column, tap: tap, height: x.h, width: x.w) else { continue }
                        body(origin + row * x.w + column, x.index(image, channel, source.row, source.column))
                    }
                }
            }
        }
    }

    /// NCHW, one image: one row per (channel, ky, kx), one column per output position, so that each
    /// row is the channel's plane shifted by the tap.
    static func patchColumns(_ x: FeatureMap, image: Int) -> Matrix {
        var result = Matrix(rows: x.c * taps, columns: x.h * x.w)
        forEachPatchColumnEntry(of: x, image: image) { entry, input in result.values[entry] = x.values[input] }
        return result
    }

    /// The adjoint of ``patchColumns(_:image:)``: each window value added into `map`'s image.
    static func addPatchColumns(_ gradient: Matrix, image: Int, into map: inout FeatureMap) {
        // The values move out while the visitor reads the map's shape, so that adding into them
        // copies nothing.
        var values = map.values
        map.values = []
        forEachPatchColumnEntry(of: map, image: image) { entry, input in values[input] += gradient.values[entry] }
        map.values = values
    }
}
