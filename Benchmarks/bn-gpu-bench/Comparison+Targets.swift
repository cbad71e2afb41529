import Foundation

/// The targets the GPU performance work set for the OpenCL kernels against PyTorch (cuDNN) on the
/// same GPU, and the lines that say whether a comparison meets them.
extension Comparison {
    /// A geometric mean of ours / PyTorch over one pass and layout, with its target if it has one.
    struct RatioGoal: Sendable {
        let pass: PassKind
        let layout: String
        /// nil: informational.
        let target: Double?
    }

    /// The geometric means reported, in order: training and backward at 1.5× PyTorch in NCHW and 1.2×
    /// in NHWC; the NC and inference means are reported without a target.
    static let ratioGoals: [RatioGoal] = [
        RatioGoal(pass: .forwardTraining, layout: "nchw", target: 1.5),
        RatioGoal(pass: .forwardTraining, layout: "nhwc", target: 1.2),
        RatioGoal(pass: .backward, layout: "nchw", target: 1.5),
        RatioGoal(pass: .backward, layout: "nhwc", target: 1.2),
        RatioGoal(pass: .forwardTraining, layout: "nc", target: nil),
        RatioGoal(pass: .backward, layout: "nc", target: nil),
        RatioGoal(pass: .forwardInference, layout: "nchw", target: nil),
        RatioGoal(pass: .forwardInference, layout: "nhwc", target: nil),
        RatioGoal(pass: .forwardInference, layout: "nc", target: nil),
    ]

    /// Shapes of at least this many elements (8 Mi, 32 MiB of floats) are large enough that inference,
    /// a stream, should run at the copy's speed.
    static let largeElementCount = 8 * 1024 * 1024
    /// Inference on large shapes: at least 90 % of the copy ceiling.
    static let largeInferenceFractionTarget = 0.9
    /// Training on the ResNet-50 shapes (every 4-D shape, both layouts): at least 70 % of the copy.
    static let resNetTrainingFractionTarget = 0.7
    /// The small shape (60×100, the standard set's first) whose three passes, summed, must be no slower
    /// than PyTorch's: launch overhead.
    static let smallShape = ShapeSpec.standard[0]
    /// The small shape's summed passes: at least as fast as PyTorch.
    static let smallShapeTarget = 1.0

    /// The lines that judge the comparison, each starting with `label`:
    /// `H100 forward training NCHW geomean vs PyTorch: 1.62x (target 1.5x: met)`. A line without rows
    /// says so.
    /// - Parameter label: Such as `H100`.
    /// - Returns: The lines, in a fixed order.
    func targetLines(label: String) -> [String] {
        var lines = Self.ratioGoals.map { goal in
            let subject = "\(label) \(Self.words(goal.pass)) \(goal.layout.uppercased()) geomean vs \(peerName): "
            guard let mean = geometricMean(goal.pass, layout: goal.layout) else { return subject + "no rows" }
            return subject + Self.ratio(mean) + (goal.target.map { " (\(Self.judged(mean, Self.targetRatio($0), $0)))" } ?? "")
        }
        lines.append(fractionLine(label: label, pass: .forwardInference,
                                  subject: "shapes with at least 8M elements", target: Self.largeInferenceFractionTarget) {
            $0.ours.shape.elementCount >= Self.largeElementCount
        })
        let small = "\(label) \(Self.smallShape) three passes vs \(peerName): "
        switch passTotals(Self.smallShape) {
        case let .success(totals):
            lines.append(small + Self.ratio(totals.ratio) + " (ours \(Self.milliseconds(totals.ours)) ms, \(peerName) "
                + "\(Self.milliseconds(totals.peer)) ms; \(Self.judged(totals.ratio, Self.targetRatio(Self.smallShapeTarget), Self.smallShapeTarget)))")
        case let .failure(missing) where missing.passes.count == PassKind.standard.count:
            lines.append(small + "no rows")
        case let .failure(missing):
            lines.append(small + "no rows of " + missing.passes.map(\.reportName).joined(separator: ", "))
        }
        lines.append(fractionLine(label: label, pass: .forwardTraining, subject: "ResNet-50 shapes",
                                  target: Self.resNetTrainingFractionTarget) { $0.ours.shape.isSpatial })
        lines.append("\(label) largest relative error vs the CPU reference: " + (largestError.map(Format.error) ?? "no rows"))
        return lines
    }

    /// `LABEL forward inference lowest fraction of copy, SUBJECT: 91% (32x256x56x56 nhwc) (target 90%: met)`.
    private func fractionLine(label: String, pass: PassKind, subject: String, target: Double,
                              where isIncluded: (Row) -> Bool) -> String {
        let line = "\(label) \(Self.words(pass)) lowest fraction of copy, \(subject): "
        guard let row = lowestFraction(pass, where: isIncluded), let fraction = row.ours.fractionOfCopy else {
            return line + "no rows"
        }
        return line + "\(Self.percent(fraction)) (\(row.ours.shape) \(row.ours.layout)) "
            + "(\(Self.judged(fraction, Self.percent(target), target)))"
    }

    /// `target 1.5x: met`, or `missed` when `value` is below the target. A value within a few
    /// rounding errors of the target meets it: a geometric mean of equal ratios, taken as the
    /// exponential of a mean of logarithms, can come out a unit in the last place below them.
    private static func judged(_ value: Double, _ targetText: String, _ target: Double) -> String {
        "target \(targetText): \(value >= target * (1 - 1e-12) ? "met" : "missed")"
    }

    /// A pass as the lines name it: `forward training`.
    private static func words(_ pass: PassKind) -> String {
        pass.rawValue.replacingOccurrences(of: "-", with: " ")
    }

    /// `1.62x`.
    private static func ratio(_ value: Double) -> String {
        Format.decimal(value, digits: 2) + "x"
    }

    /// A target ratio, with one digit: `1.5x`, `1.0x`.
    private static func targetRatio(_ value: Double) -> String {
        Format.decimal(value, digits: 1) + "x"
    }

    /// `91%`: a fraction as a whole percent.
    static func percent(_ fraction: Double) -> String {
        Format.decimal(100 * fraction, digits: 0) + "%"
    }

    /// Milliseconds as the bench's table prints them: `0.0123`.
    static func milliseconds(_ ms: Double) -> String {
        Format.milliseconds(ms / 1e3)
    }
}
