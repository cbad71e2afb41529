import BNCore
@testable import BNGPU
import BNTestSupport
import COpenCL

/// One training step and one inference pass as an engine runs them: every operand a region of one
/// caller's `cl_mem`, at offsets that are no multiple of a vector width, with gaps between the
/// regions filled with a sentinel that no pass may overwrite.
struct EngineRun {
    let raw: RawOpenCL
    let testCase: TestCase
    static let sentinel: Float = 777
    /// Floats between regions, and before the first: odd, so that offsets are no multiple of 2, 4, 8 or 16.
    static let gap = 5

    struct Outcome {
        var results: [String: [Float]]
        var untouchedGaps: Bool
        /// The reference counts of the caller's objects before the backend existed and after it was gone.
        var referenceCounts: (before: [cl_uint], after: [cl_uint])
    }

    /// The operands in their memory order, with their lengths.
    private var regions: [(name: String, count: Int)] {
        let elements = testCase.shape.dimensions.reduce(1, *), features = testCase.shape.c
        return [("x", elements), ("dy", elements), ("y", elements), ("dx", elements), ("yInference", elements),
                ("gamma", features), ("beta", features), ("running.mean", features), ("running.variance", features),
                ("mean", features), ("invStd", features), ("dGamma", features), ("dBeta", features)]
    }

    /// Runs the passes chained by events or as their async forms, then reads every output back.
    func run(_ chain: CallerObjectsTests.Chain) async throws -> Outcome {
        var offsets: [String: Int] = [:], next = Self.gap
        for region in regions {
            offsets[region.name] = next
            next += region.count + Self.gap
        }
        let memory = try raw.makeMemory(floats: next, filledWith: Self.sentinel)
        let inputs = TestInputs(testCase, mode: .spatial)
        for (name, values) in [("x", inputs.x), ("dy", inputs.dy), ("gamma", inputs.gamma), ("beta", inputs.beta),
                               ("running.mean", inputs.running.mean), ("running.variance", inputs.running.variance)] {
            try raw.write(values, to: memory, at: offsets[name]!)
        }
        let before = try await raw.stableReferenceCounts()
        try await passes(memory: memory, offsets: offsets, chain: chain)
        let after = try await raw.referenceCounts(settlingTo: before)
        var results: [String: [Float]] = [:]
        for region in regions {
            results[region.name] = try raw.read(memory, at: offsets[region.name]!, count: region.count)
        }
        var gaps: [Float] = []
        for region in regions {
            gaps += try raw.read(memory, at: offsets[region.name]! - Self.gap, count: Self.gap)
        }
        return Outcome(results: results, untouchedGaps: gaps.allSatisfy { $0 == Self.sentinel },
                       referenceCounts: (before, after))
    }

    /// The backend on the caller's objects, alive only in here.
    private func passes(memory: cl_mem, offsets: [String: Int], chain: CallerObjectsTests.Chain) async throws {
        let backend = try OpenCLBackend(retaining: raw.context, queue: raw.queue)
        var b: [String: OpenCLBuffer] = [:]
        for region in regions {
            b[region.name] = try backend.buffer(retaining: memory, offset: offsets[region.name]!, count: region.count)
        }
        var running = RunningStatisticsBuffers(mean: b["running.mean"]!, variance: b["running.variance"]!)
        let options = BatchNormOptions(momentum: 0.1), shape = testCase.shape
        switch chain {
        case .events:
            let forward = try backend.forwardTraining(
                x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: &running, options: options,
                y: b["y"]!, mean: b["mean"]!, invStd: b["invStd"]!, waitingFor: [])
            let backward = try backend.backward(
                dy: b["dy"]!, y: nil, x: b["x"]!, shape: shape, gamma: b["gamma"], statistics: .batch(mean: b["mean"]!, invStd: b["invStd"]!),
                options: options, dx: b["dx"]!, dz: nil, dGamma: b["dGamma"]!, dBeta: b["dBeta"]!, waitingFor: [forward])
            let inference = try backend.forwardInference(
                x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: running, options: options,
                y: b["yInference"]!, waitingFor: [backward])
            try inference.wait()
        case .async:
            try await backend.forwardTraining(
                x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: &running, options: options,
                y: b["y"]!, mean: b["mean"]!, invStd: b["invStd"]!, waitingFor: []).completion()
            try await backend.backward(
                dy: b["dy"]!, y: nil, x: b["x"]!, shape: shape, gamma: b["gamma"], statistics: .batch(mean: b["mean"]!, invStd: b["invStd"]!),
                options: options, dx: b["dx"]!, dz: nil, dGamma: b["dGamma"]!, dBeta: b["dBeta"]!, waitingFor: []).completion()
            try await backend.forwardInference(
                x: b["x"]!, z: nil, shape: shape, gamma: b["gamma"], beta: b["beta"], running: running, options: options,
                y: b["yInference"]!, waitingFor: []).completion()
        }
    }

    /// The same passes through the array forms of a backend with its own context and queue.
    static func synchronousReference(_ testCase: TestCase) throws -> [String: [Float]] {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        let inputs = TestInputs(testCase, mode: .spatial), options = BatchNormOptions(momentum: 0.1)
        var running = inputs.running
        let forward = try backend.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                  beta: inputs.beta, running: &running, options: options)
        let backward = try backend.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                            statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: options)
        let inference = try backend.forwardInference(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                     beta: inputs.beta, running: running, options: options)
        return ["y": forward.y, "mean": forward.mean, "invStd": forward.invStd, "dx": backward.dx,
                "dGamma": backward.dGamma, "dBeta": backward.dBeta, "yInference": inference,
                "running.mean": running.mean, "running.variance": running.variance]
    }
}
