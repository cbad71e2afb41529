import BatchNorm

/// The paper's ramp of the renormalization limits (``Renormalization/ramp(step:warmUpSteps:rMaxSteps:dMaxSteps:)``),
/// scaled to a run.
///
/// The paper trains with batch norm for the first 5,000 steps, rMax reaching 3 at step 40,000 and
/// dMax reaching 5 at step 25,000. bn-train's runs are a few hundred to a few thousand steps, so the
/// steps scale with the run, taking the paper's rMax step as the run's end: plain batch norm for the
/// first eighth (5/40), dMax at 5 after 25/40 of the run and rMax at 3 at its last step.
struct RenormSchedule: Sendable, Hashable {
    /// Steps of plain batch norm: total / 8.
    var warmUpSteps: Int
    /// The step at which rMax reaches 3: the total.
    var rMaxSteps: Int
    /// The step at which dMax reaches 5: total × 25 / 40.
    var dMaxSteps: Int

    /// The schedule for a run of `totalSteps` training steps.
    /// - Parameter totalSteps: Every network's steps over the whole run.
    init(totalSteps: Int) {
        warmUpSteps = totalSteps / 8
        rMaxSteps = totalSteps
        dMaxSteps = totalSteps * 25 / 40
    }

    /// The limits for one step. Step 0 is always in the warm-up, so the limits that compare with the
    /// running statistics come only after they have tracked a batch.
    /// - Parameter step: The training step, from 0.
    /// - Returns: The limits.
    func limits(atStep step: Int) -> Renormalization {
        .ramp(step: step, warmUpSteps: warmUpSteps, rMaxSteps: rMaxSteps, dMaxSteps: dMaxSteps)
    }
}
