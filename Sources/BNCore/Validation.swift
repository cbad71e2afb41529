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
        if let renormalization {
            guard renormalization.rMax.isFinite, renormalization.rMax >= 1 else {
                throw BatchNormError.invalidOption(name: "renormalization.rMax", value: "\(renormalization.rMax)", reason: "r is clipped to [1/rMax, rMax], so rMax must be finite and at least 1; give 1 for no scale correction (the paper ramps it from 1 to 3)")
            }
            guard renormalization.dMax.isFinite, renormalization.dMax >= 0 else {
                throw BatchNormError.invalidOption(name: "renormalization.dMax", value: "\(renormalization.dMax)", reason: "d is clipped to [−dMax, dMax], so dMax must be finite and at least 0; give 0 for no shift correction (the paper ramps it from 0 to 5)")
            }
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

    /// Throws unless `count` is the length of a per-batch statistic, one value per group and
    /// feature (``statisticsCount``); `nil` (an output the array form allocates) passes.
    package func checkStatistics(_ argument: String, count: Int?) throws {
        if let count, count != statisticsCount {
            throw BatchNormError.lengthMismatch(argument: argument, expected: statisticsCount, actual: count, shape: shape)
        }
    }

    /// Throws unless each feature has more than one value, which training needs for a variance.
    package func checkTrainable() throws {
        if valuesPerFeature <= 1 {
            throw BatchNormError.tooFewValuesPerFeature(valuesPerFeature: valuesPerFeature, shape: shape, mode: mode)
        }
    }
}

