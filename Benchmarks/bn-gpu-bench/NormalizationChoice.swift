import BatchNorm

/// How a row normalizes, as `--normalization` names it: batch norm, or Batch Renormalization.
enum NormalizationChoice: String, CaseIterable, Sendable {
    /// Batch norm.
    case batch
    /// Batch Renormalization at the limits the paper's ramp ends at.
    case renorm

    /// The limits of a `renorm` row: rMax 3 and dMax 5, where the paper's ramp ends, so that r and d
    /// are computed, clipped and applied on every feature; nil for batch norm.
    var renormalization: Renormalization? { self == .renorm ? Renormalization(rMax: 3, dMax: 5) : nil }
}
