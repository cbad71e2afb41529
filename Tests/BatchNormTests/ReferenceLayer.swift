import BatchNorm

/// The layer a batch norm folds into, computed here in `Double`: a dense layer or a direct 2-D
/// convolution over NCHW with stride 1, its weights row-major with output channels first.
enum ReferenceLayer: Sendable, Hashable, CustomStringConvertible {
    /// y[n][o] = Σᵢ W[o][i]·x[n][i] + b[o], with weights [outputs][inputs].
    case dense(inputs: Int, outputs: Int)
    /// A grouped convolution, weights [outputs][inputs / groups][kernel][kernel].
    case convolution(Convolution)

    /// A square-kernel 2-D convolution over an input of `height` × `width`, zero-padded by
    /// `padding` on every side; `groups` divides both channel counts (groups = inputs: depthwise).
    struct Convolution: Sendable, Hashable {
        var inputs: Int
        var outputs: Int
        var groups = 1
        var kernel: Int
        var padding: Int
        var height: Int
        var width: Int

        var outputHeight: Int { height + 2 * padding - kernel + 1 }
        var outputWidth: Int { width + 2 * padding - kernel + 1 }
    }

    var outputChannels: Int {
        switch self {
        case let .dense(_, outputs): outputs
        case let .convolution(c): c.outputs
        }
    }

    /// The weight count: every output channel's block, one after another.
    var weightCount: Int {
        switch self {
        case let .dense(inputs, outputs): outputs * inputs
        case let .convolution(c): c.outputs * (c.inputs / c.groups) * c.kernel * c.kernel
        }
    }

    /// The number of input values for a batch of `batch`.
    func inputCount(batch: Int) -> Int {
        switch self {
        case let .dense(inputs, _): batch * inputs
        case let .convolution(c): batch * c.inputs * c.height * c.width
        }
    }

    /// The shape of the output, which is the batch norm's input: NC or NCHW.
    func outputShape(batch: Int) -> TensorShape {
        switch self {
        case let .dense(_, outputs): TensorShape(n: batch, c: outputs)
        case let .convolution(c): TensorShape(n: batch, c: c.outputs, h: c.outputHeight, w: c.outputWidth)
        }
    }

    /// The output channel of each output element, in memory order.
    func outputChannelIndices(batch: Int) -> [Int] {
        let shape = outputShape(batch: batch)
        let positions = shape.spatial.reduce(1, *)
        return (0..<batch * shape.c * positions).map { ($0 / positions) % shape.c }
    }

    /// The layer's output for `x`, in `Double` from the `Float` operands (products and sums of
    /// floats in double carry no rounding that matters at float precision).
    func apply(weights: [Float], bias: [Float]?, to x: [Float], batch: Int) -> [Double] {
        switch self {
        case let .dense(inputs, outputs):
            return (0..<batch * outputs).map { index in
                let (n, o) = index.quotientAndRemainder(dividingBy: outputs)
                return (0..<inputs).reduce(Double(bias?[o] ?? 0)) { $0 + Double(weights[o * inputs + $1]) * Double(x[n * inputs + $1]) }
            }
        case let .convolution(c):
            let (inPerGroup, outPerGroup) = (c.inputs / c.groups, c.outputs / c.groups)
            let (oh, ow) = (c.outputHeight, c.outputWidth)
            return (0..<batch * c.outputs * oh * ow).map { index in
                let (w0, rest) = (index % ow, index / ow)
                let (h0, rest2) = (rest % oh, rest / oh)
                let (o, n) = (rest2 % c.outputs, rest2 / c.outputs)
                let group = o / outPerGroup
                var sum = Double(bias?[o] ?? 0)
                for j in 0..<inPerGroup {
                    let i = group * inPerGroup + j
                    for kh in 0..<c.kernel {
                        let h = h0 + kh - c.padding
                        guard (0..<c.height).contains(h) else { continue }
                        for kw in 0..<c.kernel {
                            let w = w0 + kw - c.padding
                            guard (0..<c.width).contains(w) else { continue }
                            let weight = weights[((o * inPerGroup + j) * c.kernel + kh) * c.kernel + kw]
                            sum += Double(weight) * Double(x[((n * c.inputs + i) * c.height + h) * c.width + w])
                        }
                    }
                }
                return sum
            }
        }
    }

    var description: String {
        switch self {
        case let .dense(inputs, outputs):
            "dense \(inputs)→\(outputs)"
        case let .convolution(c):
            "conv \(c.inputs)→\(c.outputs) \(c.kernel)×\(c.kernel) pad \(c.padding) groups \(c.groups) on \(c.height)×\(c.width)"
        }
    }
}
