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
    /// Throws unless `count` is the element count of x; `nil` (an output the array form allocates) passes.
    package func checkElements(_ argument: String, count: Int?) throws {
        if let count, count != elementCount {
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

