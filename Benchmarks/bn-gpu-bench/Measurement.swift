/// Seconds measured by repeated runs, with the statistics the report prints.
struct Samples: Sendable {
    /// One entry per timed run, in seconds.
    let seconds: [Double]

    /// The middle run (the mean of the two middle ones for an even count); NaN with no runs.
    var median: Double {
        let sorted = seconds.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    /// The fastest run; NaN with no runs.
    var minimum: Double { seconds.min() ?? .nan }
}

/// When a timing loop stops: after `minimumRuns` always; then as soon as `preferredRuns` are taken
/// and they add up to `targetSeconds`, or `maximumRuns` are taken, or `timeLimit` seconds of wall
/// time have passed since the loop began.
struct TimingPolicy: Sendable {
    /// Runs taken whatever the time.
    var minimumRuns: Int
    /// Runs wanted, unless the time limit comes first.
    var preferredRuns: Int
    /// Measured seconds wanted, so that short runs are repeated enough to make a stable median.
    var targetSeconds: Double
    /// Runs never exceeded.
    var maximumRuns: Int
    /// Wall seconds after which the loop stops once it has `minimumRuns`.
    var timeLimit: Double

    /// Says how the loop stops, for the report's header: "at least 20 runs, more until 0.2 s measured
    /// or 3 s per row".
    var summary: String {
        let runs = minimumRuns == 1 ? "1 run" : "\(minimumRuns) runs"
        guard targetSeconds > 0 else { return runs }
        return "at least \(runs), more until \(targetSeconds) s measured or \(timeLimit) s per row"
    }

    /// Runs `sample` until the policy is met.
    /// - Parameter sample: One timed run; returns its seconds.
    /// - Returns: The samples.
    /// - Throws: Whatever `sample` throws.
    func collect(_ sample: () throws -> Double) throws -> Samples {
        let clock = ContinuousClock()
        let start = clock.now
        var seconds: [Double] = []
        var measured = 0.0
        while true {
            let value = try sample()
            seconds.append(value)
            measured += value
            let runs = seconds.count
            guard runs >= max(minimumRuns, 1) else { continue }
            if runs >= maximumRuns || Stopwatch.seconds(start.duration(to: clock.now)) >= timeLimit
                || (runs >= preferredRuns && measured >= targetSeconds) {
                return Samples(seconds: seconds)
            }
        }
    }
}

/// Wall-clock timing of host calls.
enum Stopwatch {
    /// Runs `body` and returns its wall-clock seconds.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return seconds(start.duration(to: clock.now))
    }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// The three timing loops of a row, and the copy-ceiling repetitions.
struct TimingPlan: Sendable {
    /// Kernel time of the buffer form, from profiling events.
    var kernel: TimingPolicy
    /// Wall time of the OpenCL array form: upload, kernels, download.
    var wall: TimingPolicy
    /// Wall time of the CPU reference's array form.
    var reference: TimingPolicy
    /// Timed copies for the copy ceiling.
    var copyRepetitions: Int

    /// The full plan: at least `iterations` kernel runs, and more until 0.2 s of kernel time (a
    /// median steady to a few percent on a busy machine), within 3 s of wall time per row; at least
    /// five array-form calls or 0.2 s; the CPU reference capped near 1.5 s, since a large shape can take
    /// longer than that once and its median matters less.
    /// - Parameter iterations: `--iterations`.
    static func standard(iterations: Int) -> TimingPlan {
        TimingPlan(
            kernel: TimingPolicy(minimumRuns: iterations, preferredRuns: iterations, targetSeconds: 0.2,
                                 maximumRuns: max(iterations, 10_000), timeLimit: 3),
            wall: TimingPolicy(minimumRuns: 1, preferredRuns: 5, targetSeconds: 0.2, maximumRuns: 200, timeLimit: 2),
            reference: TimingPolicy(minimumRuns: 1, preferredRuns: 5, targetSeconds: 0.2, maximumRuns: 50, timeLimit: 1.5),
            copyRepetitions: max(iterations, 10))
    }

    /// `--quick`: exactly `iterations` kernel runs and three array-form calls, no time targets.
    /// - Parameter iterations: `--iterations`.
    static func quick(iterations: Int) -> TimingPlan {
        let three = TimingPolicy(minimumRuns: 1, preferredRuns: 3, targetSeconds: 0, maximumRuns: 3, timeLimit: 1)
        return TimingPlan(
            kernel: TimingPolicy(minimumRuns: iterations, preferredRuns: iterations, targetSeconds: 0,
                                 maximumRuns: iterations, timeLimit: 0),
            wall: three, reference: three, copyRepetitions: min(iterations, 5))
    }
}
