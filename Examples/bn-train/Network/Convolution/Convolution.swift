import BatchNorm

/// A 3×3 convolution with stride 1 and one pixel of zero padding, so that the output has the input's
/// height and width, in plain Swift on the host: the patches of the input (im2col) times the
/// weights, in either layout.
///
/// The weights are `[out][in][ky][kx]`, PyTorch's `Conv2d.weight`, whatever the layout the layer
/// runs in, so that ``FoldedLayer`` folds the batch norm after it directly.
struct Convolution: Sendable, Hashable {
    /// The side of the square kernel.
    static let kernel = 3
    /// The kernel's taps: ``kernel``².
    static var taps: Int { kernel * kernel }

    var inputChannels: Int
    var outputChannels: Int
    /// outputChannels × inputChannels × 3 × 3 values, output channels first.
    var weights: [Float]
    /// One value per output channel.
    var bias: [Float]

    /// A layer with weights drawn from N(0, scale²) and zero bias.
    /// - Parameters:
    ///   - inputs: Input channels.
    ///   - outputs: Output channels.
    ///   - scale: The weights' standard deviation.
    ///   - random: The source of the weights.
    init(inputs: Int, outputs: Int, scale: Double, using random: inout SeededRandom) {
        inputChannels = inputs
        outputChannels = outputs
        weights = (0..<outputs * inputs * Self.taps).map { _ in Float(scale * random.normal()) }
        bias = [Float](repeating: 0, count: outputs)
    }

    init(inputChannels: Int, outputChannels: Int, weights: [Float], bias: [Float]) {
        precondition(weights.count == outputChannels * inputChannels * Self.taps && bias.count == outputChannels)
        (self.inputChannels, self.outputChannels, self.weights, self.bias) = (inputChannels, outputChannels, weights, bias)
    }

    /// Values per output channel's block of weights: the length of each dot product.
    var weightsPerOutput: Int { inputChannels * Self.taps }

    /// The weights as a matrix of one row per output channel, columns (in, ky, kx): the NCHW product's left factor.
    var outputRows: Matrix { Matrix(rows: outputChannels, columns: weightsPerOutput, values: weights) }

    /// The weights as a matrix of one row per output channel, columns (ky, kx, in): the order of an
    /// NHWC patch row.
    var outputRowsTapsFirst: Matrix {
        var result = Matrix(rows: outputChannels, columns: weightsPerOutput)
        for output in 0..<outputChannels {
            for input in 0..<inputChannels {
                for tap in 0..<Self.taps {
                    result[output, tap * inputChannels + input] = weights[(output * inputChannels + input) * Self.taps + tap]
                }
            }
        }
        return result
    }

    /// The output map, in the input's layout.
    /// - Parameter x: inputChannels channels.
    func forward(_ x: FeatureMap) -> FeatureMap {
        precondition(x.c == inputChannels, "the convolution takes \(inputChannels) channels, not \(x.c)")
        var y = FeatureMap(n: x.n, c: outputChannels, h: x.h, w: x.w, layout: x.layout)
        switch x.layout {
        case .nhwc:
            // (N·H·W × taps·in)(taps·in × out): one row per output position, in NHWC order already.
            var product = Self.patchRows(x).multiplied(by: outputRowsTapsFirst.transposed())
            for row in 0..<product.rows {
                for column in 0..<outputChannels { product[row, column] += bias[column] }
            }
            y.values = product.values
        default:
            // per image (out × in·taps)(in·taps × H·W): one row per channel, in NCHW order already
            let plane = x.h * x.w, rows = outputRows
            for image in 0..<x.n {
                let product = rows.multiplied(by: Self.patchColumns(x, image: image))
                for output in 0..<outputChannels {
                    let start = (image * outputChannels + output) * plane
                    for position in 0..<plane { y.values[start + position] = product[output, position] + bias[output] }
                }
            }
        }
        return y
    }

    /// The gradients of the loss given the gradient with respect to the output.
    /// - Parameters:
    ///   - input: The map the forward pass took.
    ///   - outputGradient: dL/dy, in the input's layout.
    /// - Returns: dL/dx (in the input's layout), dL/dW (`[out][in][ky][kx]`) and dL/db.
    func backward(input: FeatureMap, outputGradient dy: FeatureMap) -> (input: FeatureMap, weights: [Float], bias: [Float]) {
        var bias = [Float](repeating: 0, count: outputChannels)
        switch input.layout {
        case .nhwc:
            let gradient = Matrix(rows: dy.n * dy.h * dy.w, columns: outputChannels, values: dy.values)
            let patches = Self.patchRows(input)
            // (taps·in × out), rows in (ky, kx, in) order
            let tapsFirst = patches.transposedMultiplied(by: gradient)
            var weights = [Float](repeating: 0, count: self.weights.count)
            for output in 0..<outputChannels {
                for channel in 0..<inputChannels {
                    for tap in 0..<Self.taps {
                        weights[(output * inputChannels + channel) * Self.taps + tap] = tapsFirst[tap * inputChannels + channel, output]
                    }
                }
            }
            let patchGradient = gradient.multiplied(by: outputRowsTapsFirst)
            return (Self.addingPatchRows(patchGradient, like: input), weights, gradient.columnSums())
        default:
            let plane = input.h * input.w, rows = outputRows
            var weights = Matrix(rows: outputChannels, columns: weightsPerOutput)
            var dx = FeatureMap(n: input.n, c: input.c, h: input.h, w: input.w, layout: input.layout)
            for image in 0..<input.n {
                let start = image * outputChannels * plane
                let gradient = Matrix(rows: outputChannels, columns: plane,
                                      values: Array(dy.values[start..<start + outputChannels * plane]))
                // dY·Qᵀ as dY times Qᵀ's rows, whose inner loop runs along rows and vectorizes, where
                // dY·Qᵀ by dot products would not (a float sum keeps its order)
                let imageWeights = gradient.multiplied(by: Self.patchColumns(input, image: image).transposed())
                for index in weights.values.indices { weights.values[index] += imageWeights.values[index] }
                Self.addPatchColumns(rows.transposedMultiplied(by: gradient), image: image, into: &dx)
                for output in 0..<outputChannels {
                    for position in 0..<plane { bias[output] += gradient[output, position] }
                }
            }
            return (dx, weights.values, bias)
        }
    }

    /// One step of plain SGD: W ← W − rate·dW, b ← b − rate·db.
    mutating func descend(weights weightGradient: [Float], bias biasGradient: [Float], learningRate: Float) {
        for index in weights.indices { weights[index] -= learningRate * weightGradient[index] }
        for index in bias.indices { bias[index] -= learningRate * biasGradient[index] }
    }
}
