/// What both backends' split-phase passes share: the checks of merged statistics and sums and the
/// normalization constants in `Double`, so that every backend and every member of a group computes
/// them the same way.
extension PartialStatistics {
    /// Throws unless these merged statistics can normalize a device's part of `geometry`'s shape:
    /// the same features, and a count of at least 2 that covers the part's values.
    package func checkMerged(for geometry: FeatureGeometry) throws {
        try check()
        guard features == geometry.features else {
            throw BatchNormError.statisticsMismatch(reason: "the merged statistics have \(features) features but shape \(geometry.shape) in \(geometry.mode) mode has \(geometry.features)")
        }
        guard count >= geometry.valuesPerFeature else {
            throw BatchNormError.statisticsMismatch(reason: "the merged statistics count \(count) values per feature, fewer than this device's \(geometry.valuesPerFeature); merge every device's part, this one's included")
        }
        if count <= 1 {
            throw BatchNormError.tooFewValuesPerFeature(valuesPerFeature: count, shape: geometry.shape, mode: geometry.mode)
        }
    }

    /// The mean and `1/√(σ² + ε)` of the biased variance, per feature, in `Double`.
    package func normalization(epsilon: Float) -> (mean: [Double], invStd: [Double]) {
        (mean, variance.map { 1 / ($0 + Double(epsilon)).squareRoot() })
    }
}

extension GradientSums {
    /// Throws unless these summed gradients fit a device's part of `geometry`'s shape.
    package func checkSummed(for geometry: FeatureGeometry) throws {
        guard features == geometry.features, sumDyCentered.count == features, sumCentered.count == features else {
            throw BatchNormError.statisticsMismatch(reason: "the gradient sums have \(features) features but shape \(geometry.shape) in \(geometry.mode) mode has \(geometry.features)")
        }
        guard count >= geometry.valuesPerFeature else {
            throw BatchNormError.statisticsMismatch(reason: "the gradient sums count \(count) values per feature, fewer than this device's \(geometry.valuesPerFeature); add up every device's sums, this one's included")
        }
    }
}

extension PartialStatistics {
    /// Throws unless these merged statistics can be blended into `running`: valid options, one value
    /// per feature in each running buffer, stored as `.float32`, and at least 2 values per feature
    /// (the unbiased variance divides by the count − 1).
    package func checkBlend<Buffer: BatchNormBuffer>(
        into running: RunningStatisticsBuffers<Buffer>, options: BatchNormOptions
    ) throws {
        try options.validate()
        try check()
        for (argument, buffer) in ["running.mean": running.mean, "running.variance": running.variance] as KeyValuePairs {
            guard buffer.count == features else {
                throw BatchNormError.statisticsMismatch(reason: "the merged statistics have \(features) features but \(argument) holds \(buffer.count) values; give running statistics of one value per feature")
            }
            guard buffer.elementType == .float32 else {
                throw BatchNormError.elementTypeMismatch(argument: argument, expected: .float32, actual: buffer.elementType)
            }
        }
        guard count >= 2 else {
            throw BatchNormError.statisticsMismatch(reason: "the merged statistics count \(count) values per feature; the running variance needs at least 2, so merge every device's part")
        }
    }
}
