import BatchNorm
import BNTestSupport
import Testing

/// Synchronized batch norm in one process: N members, each with its own backend and part of the
/// batch, against one backend on the whole batch.
@Suite struct SynchronizedBatchNormTests {
    static let cases: [(TestCase, NormalizationMode)] = [
        (TestCase("images", TensorShape(n: 6, c: 3, h: 5, w: 7)), .spatial),
        (TestCase("channels last", TensorShape(n: 5, c: 8, h: 3, w: 3, layout: .nhwc)), .spatial),
        (TestCase("features", TensorShape(n: 9, c: 16)), .spatial),
        (TestCase("per activation", TensorShape(n: 7, c: 4, h: 2, w: 3)), .perActivation),
        // with 4 members, one holds no rows and takes part with count 0
        (TestCase("fewer rows than members", TensorShape(n: 3, c: 5, h: 2, w: 2)), .spatial),
    ]

    @Test(arguments: BackendKind.everyPath, [1, 2, 3, 4])
    func membersEqualOneDeviceOnTheWholeBatch(kind: BackendKind, members: Int) async throws {
        for (testCase, mode) in Self.cases {
            let options = BatchNormOptions(momentum: 0.1, mode: mode)
            let inputs = TestInputs(testCase, mode: mode)
            let single = try await Replica.run(backend: try kind.make(), inputs: inputs, shape: testCase.shape,
                                               rows: 0..<testCase.shape.n, communicator: nil, options: options)
            let group = try InProcessCommunicator.group(size: members)
            let results = try await withThrowingTaskGroup(of: (Int, Replica.Outcome).self) { tasks in
                for member in group {
                    let backend = try kind.makeAnother()
                    tasks.addTask {
                        (member.rank, try await Replica.run(
                            backend: backend, inputs: inputs, shape: testCase.shape,
                            rows: testCase.shape.rows(ofPart: member.rank, of: members), communicator: member, options: options))
                    }
                }
                return try await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let y = (0..<members).flatMap { results[$0]!.y }
            let dx = (0..<members).flatMap { results[$0]!.dx }
            let reference = results[0]!
            expectClose(y, single.y, tolerance: Tolerance.openCL, "y of \(kind) \(testCase), \(members) members")
            expectClose(dx, single.dx, tolerance: Tolerance.openCL, "dx of \(kind) \(testCase), \(members) members")
            for member in 0..<members {
                let outcome = results[member]!
                // every member merges the same parts in the same order: the same bits
                #expect(outcome.perFeature == reference.perFeature, "\(kind) \(testCase) member \(member)")
            }
            for (name, values) in reference.perFeature {
                expectClose(values, single.perFeature[name]!, tolerance: Tolerance.openCL,
                            "\(name) of \(kind) \(testCase), \(members) members")
            }
        }
    }
}

/// One member's synchronized forward and backward pass on its rows of the batch; with no
/// communicator, the single-device (fused) passes on them.
private enum Replica {
    struct Outcome {
        var y: [Float]
        var dx: [Float]
        var perFeature: [String: [Float]]
    }

    static func run<Backend: BatchNormBackend>(
        backend: Backend, inputs: TestInputs, shape: TensorShape, rows: Range<Int>,
        communicator: (any StatisticsCommunicator)?, options: BatchNormOptions
    ) async throws -> Outcome {
        let (part, elements) = shape.slice(rows: rows)
        let features = inputs.gamma.count
        let placeholder = [Float](repeating: 0, count: 1)
        let x = try backend.upload(elements.isEmpty ? placeholder : Array(inputs.x[elements]))
        let dy = try backend.upload(elements.isEmpty ? placeholder : Array(inputs.dy[elements]))
        let y = try backend.makeBuffer(count: max(elements.count, 1)), dx = try backend.makeBuffer(count: max(elements.count, 1))
        let gamma = try backend.upload(inputs.gamma), beta = try backend.upload(inputs.beta)
        let mean = try backend.makeBuffer(count: features), invStd = try backend.makeBuffer(count: features)
        let dGamma = try backend.makeBuffer(count: features), dBeta = try backend.makeBuffer(count: features)
        var running = RunningStatisticsBuffers(mean: try backend.upload(inputs.running.mean),
                                               variance: try backend.upload(inputs.running.variance))
        if let communicator {
            let sync = SynchronizedBatchNorm(backend: backend, communicator: communicator)
            try await sync.forwardTraining(x: x, shape: part, gamma: gamma, beta: beta, running: &running, options: options,
                                           y: y, mean: mean, invStd: invStd)
            try await sync.backward(dy: dy, x: x, shape: part, gamma: gamma, mean: mean, invStd: invStd, options: options,
                                    dx: dx, dGamma: dGamma, dBeta: dBeta)
        } else {
            try backend.forwardTraining(x: x, shape: part, gamma: gamma, beta: beta, running: &running, options: options,
                                        y: y, mean: mean, invStd: invStd)
            try backend.backward(dy: dy, x: x, shape: part, gamma: gamma, mean: mean, invStd: invStd, options: options,
                                 dx: dx, dGamma: dGamma, dBeta: dBeta)
        }
        let isEmpty = elements.isEmpty
        return Outcome(
            y: isEmpty ? [] : try backend.download(y), dx: isEmpty ? [] : try backend.download(dx),
            perFeature: ["mean": try backend.download(mean), "invStd": try backend.download(invStd),
                         "running.mean": try backend.download(running.mean),
                         "running.variance": try backend.download(running.variance),
                         "dGamma": try backend.download(dGamma), "dBeta": try backend.download(dBeta)])
    }
}
