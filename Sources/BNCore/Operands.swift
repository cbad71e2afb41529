/// The operands of one call, named as errors name them: tensors have x's element count and
/// per-feature arrays one value per feature. Each operation's list is written once here and serves
/// both backends and both forms; the array form leaves the outputs out, since it allocates them.
package struct Operands<Value> {
    /// Whether the call computes batch statistics (m must exceed 1).
    package let isTraining: Bool
    package let tensors: KeyValuePairs<String, Value?>
    package let perFeature: KeyValuePairs<String, Value?>

    /// Every operand that is present, with its name.
    package var all: [(name: String, value: Value)] {
        (Array(tensors) + Array(perFeature)).compactMap { name, value in value.map { (name, $0) } }
    }

    /// Checks the shape, the options, every operand's length and, for training, the values per
    /// feature, before any work starts.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call.
    ///   - count: The number of elements of an operand.
    /// - Returns: The checked geometry.
    /// - Throws: `BatchNormError` naming the first problem.
    package func checked(shape: TensorShape, options: BatchNormOptions, count: (Value) -> Int) throws -> FeatureGeometry {
        let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        try options.validate()
        for (argument, value) in tensors { try geometry.checkElements(argument, count: value.map(count)) }
        for (argument, value) in perFeature { try geometry.checkFeatures(argument, count: value.map(count)) }
        if isTraining { try geometry.checkTrainable() }
        return geometry
    }

    package static func forwardTraining(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value,
        y: Value? = nil, mean: Value? = nil, invStd: Value? = nil
    ) -> Operands {
        Operands(isTraining: true, tensors: ["x": x, "y": y],
                 perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean,
                              "running.variance": runningVariance, "mean": mean, "invStd": invStd])
    }

    package static func forwardInference(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value, y: Value? = nil
    ) -> Operands {
        Operands(isTraining: false, tensors: ["x": x, "y": y],
                 perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean, "running.variance": runningVariance])
    }

    package static func backward(
        dy: Value, x: Value, gamma: Value?, mean: Value, invStd: Value,
        dx: Value? = nil, dGamma: Value? = nil, dBeta: Value? = nil
    ) -> Operands {
        Operands(isTraining: false, tensors: ["dy": dy, "x": x, "dx": dx],
                 perFeature: ["gamma": gamma, "mean": mean, "invStd": invStd, "dGamma": dGamma, "dBeta": dBeta])
    }

    /// The second phase of a synchronized forward pass: the merged statistics stand for the batch,
    /// so x alone may hold a single value per feature.
    package static func synchronizedForward(
        x: Value, gamma: Value?, beta: Value?, runningMean: Value, runningVariance: Value,
        y: Value, mean: Value, invStd: Value
    ) -> Operands {
        Operands(isTraining: false, tensors: ["x": x, "y": y],
                 perFeature: ["gamma": gamma, "beta": beta, "running.mean": runningMean,
                              "running.variance": runningVariance, "mean": mean, "invStd": invStd])
    }

    /// The first phase of a synchronized forward pass: one value per feature is enough.
    package static func localStatistics(x: Value) -> Operands {
        Operands(isTraining: false, tensors: ["x": x], perFeature: [:])
    }

    /// The first phase of a synchronized backward pass.
    package static func gradientSums(dy: Value, x: Value, mean: Value) -> Operands {
        Operands(isTraining: false, tensors: ["dy": dy, "x": x], perFeature: ["mean": mean])
    }

    package static func backwardFrozen(
        dy: Value, x: Value, gamma: Value?, runningMean: Value, runningVariance: Value,
        dx: Value? = nil, dGamma: Value? = nil, dBeta: Value? = nil
    ) -> Operands {
        Operands(isTraining: false, tensors: ["dy": dy, "x": x, "dx": dx],
                 perFeature: ["gamma": gamma, "running.mean": runningMean, "running.variance": runningVariance,
                              "dGamma": dGamma, "dBeta": dBeta])
    }
}

extension Operands where Value: BatchNormBuffer {
    /// ``checked(shape:options:count:)`` for buffers, which know their counts.
    package func checked(shape: TensorShape, options: BatchNormOptions) throws -> FeatureGeometry {
        try checked(shape: shape, options: options) { $0.count }
    }
}

extension Operands where Value == [Float] {
    /// ``checked(shape:options:count:)`` for arrays.
    package func checked(shape: TensorShape, options: BatchNormOptions) throws -> FeatureGeometry {
        try checked(shape: shape, options: options) { $0.count }
    }
}
