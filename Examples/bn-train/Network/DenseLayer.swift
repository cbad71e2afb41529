/// A fully connected layer, y = x·W + b, in plain Swift on the host.
struct DenseLayer: Sendable, Hashable {
    /// One row per input, one column per output.
    var weights: Matrix
    /// One value per output.
    var bias: [Float]

    /// A layer with weights drawn from N(0, scale²) and zero bias: the small Gaussian initial weights
    /// of Ioffe and Szegedy's MLP experiment.
    /// - Parameters:
    ///   - inputs: The width of the layer's input.
    ///   - outputs: The width of its output.
    ///   - scale: The weights' standard deviation.
    ///   - random: The source of the weights.
    init(inputs: Int, outputs: Int, scale: Double, using random: inout SeededRandom) {
        weights = Matrix(rows: inputs, columns: outputs,
                         values: (0..<inputs * outputs).map { _ in Float(scale * random.normal()) })
        bias = [Float](repeating: 0, count: outputs)
    }

    /// x·W + b for a batch, one example per row.
    func forward(_ x: Matrix) -> Matrix {
        var y = x.multiplied(by: weights)
        for row in 0..<y.rows {
            for column in 0..<y.columns { y[row, column] += bias[column] }
        }
        return y
    }

    /// The gradients of the loss given the gradient with respect to the output.
    /// - Parameters:
    ///   - input: The batch the forward pass took.
    ///   - outputGradient: dL/dy, one row per example.
    /// - Returns: dL/dx, dL/dW and dL/db.
    func backward(input: Matrix, outputGradient: Matrix) -> (input: Matrix, weights: Matrix, bias: [Float]) {
        (outputGradient.multipliedTransposed(by: weights), input.transposedMultiplied(by: outputGradient),
         outputGradient.columnSums())
    }

    /// One step of plain SGD: W ← W − rate·dW, b ← b − rate·db.
    mutating func descend(weights weightGradient: Matrix, bias biasGradient: [Float], learningRate: Float) {
        for index in weights.values.indices { weights.values[index] -= learningRate * weightGradient.values[index] }
        for index in bias.indices { bias[index] -= learningRate * biasGradient[index] }
    }
}
