/// Checks shared by every backend, run before any work starts, so that bad input throws and
/// changes nothing.
extension BatchNormOptions {
    /// Throws unless ε is positive and finite and momentum, when given, lies in [0, 1].
    package func validate() throws {
        guard epsilon.isFinite, epsilon > 0 else {
            throw BatchNormError.invalidOption(name: "epsilon", value: "\(epsilon)", reason: "ε must be positive and finite")
        }
        if let momentum, !(0...1).contains(momentum) {
            throw BatchNormError.invalidOption(name: "momentum", value: "\(momentum)", reason: "momentum must lie in [0, 1], or be nil for a cumulative average")
        }
    }
}

extension FeatureGeometry {
    /// Throws unless `count` is the element count of x.
    package func checkElements(_ argument: String, count: Int) throws {
        if count != elementCount {
            throw BatchNormError.lengthMismatch(argument: argument, expected: elementCount, actual: count, shape: shape)
        }
    }

    /// Throws unless `count` is the number of features; `nil` (an absent γ or β) passes.
    package func checkFeatures(_ argument: String, count: Int?) throws {
        if let count, count != features {
            throw BatchNormError.lengthMismatch(argument: argument, expected: features, actual: count, shape: shape)
        }
    }

    /// Throws unless each feature has more than one value, which training needs for a variance.
    package func checkTrainable() throws {
        if valuesPerFeature <= 1 {
            throw BatchNormError.tooFewValuesPerFeature(valuesPerFeature: valuesPerFeature, shape: shape, mode: mode)
        }
    }
}

extension FeatureGeometry {
    /// The one preflight of every operation, in both backends and both forms: checks the shape,
    /// the options, the length of every operand and, for training, the values per feature.
    /// - Parameters:
    ///   - shape: The shape of x.
    ///   - options: The options of the call.
    ///   - isTraining: Whether the call computes batch statistics (m must exceed 1).
    ///   - elements: Name and length of each tensor operand (x, y, dy, dx).
    ///   - features: Name and length of each per-feature operand; a nil length is an absent γ or β.
    /// - Returns: The checked geometry.
    package static func checked(
        shape: TensorShape, options: BatchNormOptions, isTraining: Bool,
        elements: KeyValuePairs<String, Int>, features: KeyValuePairs<String, Int?>
    ) throws -> FeatureGeometry {
        let geometry = try FeatureGeometry(shape: shape, mode: options.mode)
        try options.validate()
        for (argument, count) in elements { try geometry.checkElements(argument, count: count) }
        for (argument, count) in features { try geometry.checkFeatures(argument, count: count) }
        if isTraining { try geometry.checkTrainable() }
        return geometry
    }
}
