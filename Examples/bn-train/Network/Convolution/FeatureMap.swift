import BatchNorm

/// A batch of images with channels: N×C×H×W floats in NCHW or NHWC order, the tensors a
/// convolutional network passes from layer to layer.
struct FeatureMap: Sendable, Hashable {
    var n: Int
    var c: Int
    var h: Int
    var w: Int
    /// `.nchw` or `.nhwc`.
    var layout: TensorLayout
    /// N·C·H·W values in `layout`'s order.
    var values: [Float]

    init(n: Int, c: Int, h: Int, w: Int, layout: TensorLayout, values: [Float]) {
        precondition(layout != .nc, "a feature map is NCHW or NHWC")
        precondition(values.count == n * c * h * w, "an \(n)×\(c)×\(h)×\(w) map needs \(n * c * h * w) values")
        (self.n, self.c, self.h, self.w, self.layout, self.values) = (n, c, h, w, layout, values)
    }

    /// A map of zeros.
    init(n: Int, c: Int, h: Int, w: Int, layout: TensorLayout) {
        self.init(n: n, c: c, h: h, w: w, layout: layout, values: [Float](repeating: 0, count: n * c * h * w))
    }

    /// One-channel images from the rows of a matrix, each row an image's pixels row by row: with
    /// one channel, NCHW and NHWC hold the same values in the same order.
    init(images: Matrix, height: Int, width: Int, layout: TensorLayout) {
        precondition(images.columns == height * width, "each row must hold one \(height)×\(width) image")
        self.init(n: images.rows, c: 1, h: height, w: width, layout: layout, values: images.values)
    }

    /// The batch norm's view of the map.
    var shape: TensorShape { TensorShape(n: n, c: c, h: h, w: w, layout: layout) }

    /// The position of element (image, channel, row, column) in ``values``.
    func index(_ image: Int, _ channel: Int, _ row: Int, _ column: Int) -> Int {
        layout == .nchw ? ((image * c + channel) * h + row) * w + column
                        : ((image * h + row) * w + column) * c + channel
    }

    /// The same map with its elements in every position of `values` replaced: the shape, the
    /// layout and the other fields kept.
    func with(values: [Float]) -> FeatureMap {
        FeatureMap(n: n, c: c, h: h, w: w, layout: layout, values: values)
    }

    /// One row per image of its C·H·W values in channel, row, column order whatever the layout:
    /// the dense layer's input, so that its weights mean the same in both layouts.
    func flattened() -> Matrix {
        var result = Matrix(rows: n, columns: c * h * w)
        for image in 0..<n {
            for channel in 0..<c {
                for row in 0..<h {
                    for column in 0..<w {
                        result[image, (channel * h + row) * w + column] = values[index(image, channel, row, column)]
                    }
                }
            }
        }
        return result
    }

    /// The map of this shape and layout whose ``flattened()`` is `matrix`: the dense layer's input
    /// gradient carried back to the map.
    func unflattening(_ matrix: Matrix) -> FeatureMap {
        precondition(matrix.rows == n && matrix.columns == c * h * w)
        var result = FeatureMap(n: n, c: c, h: h, w: w, layout: layout)
        for image in 0..<n {
            for channel in 0..<c {
                for row in 0..<h {
                    for column in 0..<w {
                        result.values[index(image, channel, row, column)] = matrix[image, (channel * h + row) * w + column]
                    }
                }
            }
        }
        return result
    }

    /// The values of one channel over every image and position, in ``values``' order.
    func channel(_ channel: Int) -> [Float] {
        var result = [Float]()
        result.reserveCapacity(n * h * w)
        for index in values.indices where (layout == .nchw ? index / (h * w) % c : index % c) == channel {
            result.append(values[index])
        }
        return result
    }
}
