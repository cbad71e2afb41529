/// The search both tuners run: `bn-gpu-bench tune` (every candidate, kernel times) and
/// ``OpenCLBackend/autotune(for:options:budgetPerClass:savingTo:progress:)`` (a time budget, wall
/// times).
extension LaunchSettings {
    /// What a descent found.
    package struct Descent: Sendable {
        /// The best settings tried.
        package var best: LaunchSettings
        /// Their cost.
        package var cost: Double
        /// The starting settings' cost.
        package var startCost: Double
        /// Settings timed, the start included.
        package var tried: Int
    }

    /// The knobs in the order a search on a budget tries them: those that moved the time most where
    /// they were searched (group and span on PoCL's interleaved rows, 1.45× together; the resident
    /// size on its planar ones) first, the vector width, which costs a program build per value and
    /// has kept its heuristic on every device tuned so far, last.
    package static let budgetKnobOrder: [LaunchSettingsKnob] = [
        .reductionGroupSize, .interleavedSpan, .residentFeatureBytes, .valuesPerChunk, .valuesPerElementwiseItem,
        .elementwiseColumns, .vectorWidth,
    ]

    /// One knob at a time (in `knobs`' order), each candidate value costed; a value
    /// is kept only when it costs at least 2 % less than the best so far, so that noise does not move
    /// the choice.
    /// - Parameters:
    ///   - start: The settings to start from, costed first.
    ///   - device: Whose candidates to try.
    ///   - knobs: The knobs, in the order tried; every knob in declaration order by default.
    ///   - deadline: When to stop trying candidates (the best so far stands); nil for never. A
    ///     candidate starts only when the one before it (or the start), timed again, would still end
    ///     by then: a candidate's program builds can take most of a budget, so checking only that the
    ///     deadline has not passed let a 2 s budget run to 4.9 s on PoCL.
    ///   - cost: The cost of a candidate, such as the summed median time of a class's passes.
    /// - Returns: The best settings and their cost.
    /// - Throws: What `cost` throws.
    package static func descend(from start: LaunchSettings, device: OpenCLDeviceInfo,
                                knobs: [LaunchSettingsKnob] = LaunchSettingsKnob.allCases, deadline: ContinuousClock.Instant? = nil,
                                cost: (LaunchSettings) throws -> Double) rethrows -> Descent {
        let clock = ContinuousClock()
        var began = clock.now
        let startCost = try cost(start)
        var last = clock.now - began
        var descent = Descent(best: start, cost: startCost, startCost: startCost, tried: 1)
        for knob in knobs {
            for value in knob.candidates(for: device) where value != knob.value(in: descent.best) {
                began = clock.now
                if let deadline, began + last > deadline { return descent }
                let candidate = knob.setting(value, in: descent.best)
                let time = try cost(candidate)
                last = clock.now - began
                descent.tried += 1
                if time < descent.cost * 0.98 {
                    descent.best = candidate
                    descent.cost = time
                }
            }
        }
        return descent
    }
}
