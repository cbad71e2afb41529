/// Batch Renormalization (Ioffe 2017): how far a training pass may correct the batch's statistics
/// toward the running ones, so that training normalizes as inference will when batches are small
/// or not drawn independently.
///
/// With σ_B = √(σ²_B + ε) the batch's standard deviation and σ = √(running variance + ε) the
/// running one, each feature gets
/// r = clip(σ_B/σ, 1/``rMax``, ``rMax``) and d = clip((μ_B − running mean)/σ, −``dMax``, ``dMax``),
/// and y = γ·((x − μ_B)/σ_B · r + d) + β. The running statistics are read before the pass updates
/// them. r and d are constants for the gradient (the paper's stop-gradient), so the backward pass
/// takes them back (``BackwardStatistics/renormalized(mean:invStd:r:d:)``).
///
/// With `rMax` 1 and `dMax` 0 (``batchNorm``), r = 1 and d = 0 and the pass is batch norm, bit for bit.
/// The paper starts there and relaxes the limits over training (``ramp(step:warmUpSteps:rMaxSteps:dMaxSteps:)``).
///
/// Keras spells these `renorm=True` and `renorm_clipping={"rmax": …, "rmin": …, "dmax": …}`; its
/// `rmin` is 1/`rMax` here, and where Keras compares with separate averages kept at
/// `renorm_momentum`, this library compares with the running statistics themselves.
public struct Renormalization: Sendable, Hashable {
    /// The largest r, and 1/rMax the smallest: at least 1 and finite.
    public var rMax: Float
    /// The largest |d|: at least 0 and finite.
    public var dMax: Float

    /// Limits on the corrections.
    /// - Parameters:
    ///   - rMax: The largest r (the smallest is 1/rMax); at least 1 and finite.
    ///   - dMax: The largest |d|; at least 0 and finite.
    public init(rMax: Float, dMax: Float) {
        self.rMax = rMax
        self.dMax = dMax
    }

    /// r = 1 and d = 0: plain batch norm, the paper's setting for the first steps.
    public static let batchNorm = Renormalization(rMax: 1, dMax: 0)

    /// The paper's schedule (Ioffe 2017, section 5): batch norm for the first `warmUpSteps`, then
    /// rMax rising linearly to 3 at `rMaxSteps` and dMax to 5 at `dMaxSteps`, held there after.
    /// The defaults are the paper's steps on ImageNet; a shorter run scales them.
    /// - Parameters:
    ///   - step: The training step, from 0.
    ///   - warmUpSteps: Steps of plain batch norm; default 5,000.
    ///   - rMaxSteps: The step at which rMax reaches 3; default 40,000.
    ///   - dMaxSteps: The step at which dMax reaches 5; default 25,000.
    /// - Returns: The limits for that step.
    public static func ramp(step: Int, warmUpSteps: Int = 5_000, rMaxSteps: Int = 40_000,
                            dMaxSteps: Int = 25_000) -> Renormalization {
        func progress(toward end: Int) -> Float {
            guard step > warmUpSteps else { return 0 }
            guard end > warmUpSteps else { return 1 }
            return min(1, Float(step - warmUpSteps) / Float(end - warmUpSteps))
        }
        return Renormalization(rMax: 1 + 2 * progress(toward: rMaxSteps), dMax: 5 * progress(toward: dMaxSteps))
    }

    /// Whether the limits leave r = 1 and d = 0, so that nothing is compared with the running statistics.
    public var isBatchNorm: Bool { rMax == 1 && dMax == 0 }
}

/// A renormalizing training pass's corrections per feature, r and d
/// (``Renormalization``): what its backward pass takes back.
///
/// `Value` is a backend's buffer for the buffer form and `[Float]` for the array form.
public struct RenormCorrections<Value> {
    /// r = clip(σ_B/σ, 1/rMax, rMax) per feature.
    public var r: Value
    /// d = clip((μ_B − running mean)/σ, −dMax, dMax) per feature.
    public var d: Value

    /// - Parameters:
    ///   - r: The scale corrections.
    ///   - d: The shift corrections.
    public init(r: Value, d: Value) {
        self.r = r
        self.d = d
    }
}

extension RenormCorrections: Sendable where Value: Sendable {}
extension RenormCorrections: Equatable where Value: Equatable {}
extension RenormCorrections: Hashable where Value: Hashable {}
