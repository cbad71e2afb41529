/// What both backends' split-phase passes share: the checks of merged statistics and sums, the
/// normalization constants in `Double`, and the running-statistics update, so that every backend and
/// every member of a group computes them the same way.
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

extension SplitPhaseBackend {
    /// running = keep·running + take·batch with merged statistics, on the host in `Double` (the
    /// unbiased variance divides M2 by the merged count − 1), and one more batch counted.
    /// - Parameters:
    ///   - running: The running statistics, read and written through the backend.
    ///   - statistics: The merged statistics, already checked.
    ///   - options: The momentum, its convention and which variance is stored.
    /// - Throws: A device error.
    package func updateRunning(
        _ running: inout RunningStatisticsBuffers<Buffer>, with statistics: PartialStatistics, options: BatchNormOptions
    ) throws {
        let update = RunningUpdate(options: options, batchesTracked: running.batchesTracked,
                                   valuesPerFeature: statistics.count)
        let mean = update.mean(blending: try download(running.mean), with: statistics.mean)
        let variance = update.variance(blending: try download(running.variance), withSquares: statistics.m2)
        try write(mean, to: running.mean)
        try write(variance, to: running.variance)
        running.batchesTracked = RunningUpdate.counting(after: running.batchesTracked)
    }
}
