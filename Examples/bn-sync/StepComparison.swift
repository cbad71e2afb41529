import BatchNorm

/// What one process checks: its rows of y and dx and the whole batch's per-feature outputs from the
/// synchronized pass, against the same outputs of one process running the fused single-device
/// passes on the whole batch.
struct StepComparison {
    /// The outputs of one pass, as one process holds them.
    struct Outputs {
        var forward: ForwardTrainingResult
        var backward: BackwardResult
        var running: RunningStatistics
    }

    /// One output's worst element.
    struct Difference {
        /// The output, such as `dx` or `running variance`.
        var output: String
        /// `ErrorMetric.worst`'s relative error: |actual − expected| / (|expected| + scale), the scale
        /// from ``ComparisonScales`` or the RMS of the expected values.
        var error: Double
        /// The element, within this process's rows for y and dx; nil when every element matches.
        var index: Int?
    }

    /// The output of the synchronized pass furthest from the reference, with its error.
    /// - Parameters:
    ///   - synchronized: This process's outputs from the synchronized pass: its rows of y and dx.
    ///   - reference: The whole batch's outputs from one process.
    ///   - scales: The magnitude each output is judged at; nil ones at the RMS of the reference.
    ///   - elements: Where this process's rows lie in the whole batch's y and dx.
    /// - Returns: The worst difference; error 0 when everything matches.
    static func worst(_ synchronized: Outputs, _ reference: Outputs, scales: ComparisonScales,
                      elements: Range<Int>) -> Difference {
        let pairs: [(String, [Float], [Float], [Double]?)] = [
            ("y", synchronized.forward.y, Array(reference.forward.y[elements]), nil),
            ("dx", synchronized.backward.dx, Array(reference.backward.dx[elements]), Array(scales.dx[elements])),
            ("mean", synchronized.forward.mean, reference.forward.mean, scales.mean),
            ("invStd", synchronized.forward.invStd, reference.forward.invStd, nil),
            ("running mean", synchronized.running.mean, reference.running.mean, scales.runningMean),
            ("running variance", synchronized.running.variance, reference.running.variance, nil),
            ("dγ", synchronized.backward.dGamma, reference.backward.dGamma, scales.dGamma),
            ("dβ", synchronized.backward.dBeta, reference.backward.dBeta, scales.dBeta),
        ]
        return pairs.map { output, actual, expected, scale in
            let worst = ErrorMetric.worst(actual, expected, scale: scale)
            return Difference(output: output, error: worst.error, index: worst.index)
        }.max { $0.error < $1.error } ?? Difference(output: "nothing", error: 0)
    }
}
