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
        try await checkMembers(kind: kind, members: members, storage: .float32)
    }

    /// 16-bit tensors: each side rounds its own float y and dx once, so they may differ by a unit
    /// roundoff each (2u); the per-feature results are float32 and hold the float tolerance.
    @Test("half and bfloat16 storage", arguments: BackendKind.everyPath, [ElementType.float16, .bfloat16])
    func membersWithHalfStorage(kind: BackendKind, storage: ElementType) async throws {
        try await checkMembers(kind: kind, members: 3, storage: storage)
    }

    private func checkMembers(kind: BackendKind, members: Int, storage: ElementType) async throws {
        let tensorTolerance = storage == .float32 ? Tolerance.openCL : 2 * storage.unitRoundoff + Tolerance.openCL
        for (testCase, mode) in Self.cases {
            let options = BatchNormOptions(momentum: 0.1, mode: mode)
            let inputs = TestInputs(testCase, mode: mode)
            let single = try await MemberStep.run(backend: try kind.make(), inputs: inputs, shape: testCase.shape,
                                               rows: 0..<testCase.shape.n, communicator: nil, options: options,
                                               storage: storage)
            let group = try InProcessCommunicator.group(size: members)
            let results = try await withThrowingTaskGroup(of: (Int, MemberStep).self) { tasks in
                for member in group {
                    let backend = try kind.makeAnother()
                    tasks.addTask {
                        (member.rank, try await MemberStep.run(
                            backend: backend, inputs: inputs, shape: testCase.shape,
                            rows: testCase.shape.rows(ofPart: member.rank, of: members), communicator: member, options: options,
                            storage: storage))
                    }
                }
                return try await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let y = (0..<members).flatMap { results[$0]!.y }
            let dx = (0..<members).flatMap { results[$0]!.dx }
            let reference = results[0]!
            let label = "\(kind) \(storage) \(testCase), \(members) members"
            expectClose(y, single.y, tolerance: tensorTolerance, "y of \(label)")
            expectClose(dx, single.dx, tolerance: tensorTolerance, "dx of \(label)")
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
