import BatchNorm
@testable import BNGPU
import BNTestSupport
import Foundation
import Testing

/// One case of the Oclgrind check, in the child process ``OclgrindCheckTests`` starts: every pass
/// in both modes under every plan of ``OclgrindCheck/plans(computeUnits:)``, then under the device's own
/// heuristic the 16-bit storages, the fused passes, the split phases of synchronized batch norm,
/// in-place calls, tensors at odd offsets of one caller's buffer and, in one case, the unfused
/// activation's own kernels, each against the CPU reference.
@Suite("One case of the Oclgrind check (BN_OCLGRIND_CASE)", .enabled(if: OclgrindCheck.requestedCase != nil))
struct OclgrindCaseTests {
    @Test("every plan, pass, storage and fusion of the case equals the CPU reference")
    func everyPath() async throws {
        let testCase = try #require(OclgrindCheck.requestedCase)
        // every OpenCL call from one thread: Oclgrind's uninitialized-value checker crashes on a host
        // write from any thread but the one that made the context (.ci/oclgrind/shadow_state.c, thread)
        let executor = ThreadExecutor()
        defer { executor.stop() }
        try await withTaskExecutorPreference(executor) { try await Self.check(testCase) }
    }

    private static func check(_ testCase: TestCase) async throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        let run = OclgrindRun(backend: backend, testCase: testCase)
        let workspace = try run.reserveWorkspace()
        for plan in OclgrindCheck.plans(computeUnits: OclgrindCheck.requestedComputeUnits) {
            try backend.overrideLaunchSettings(plan.settings)
            for mode in NormalizationMode.allCases {
                try run.recordVariant(mode: mode, storage: .float32, plan.label)
                try run.storedPasses(storage: .float32, fusion: .none, mode: mode)
                try run.renormalizedPasses(mode: mode)
            }
        }
        try backend.overrideLaunchSettings(nil)
        for storage in [ElementType.float16, .bfloat16] {
            try run.recordVariant(mode: .spatial, storage: storage, "heuristic")
            try run.storedPasses(storage: storage, fusion: .none)
        }
        for fusion in [FusedOperation.relu, .addRelu] {
            try run.storedPasses(storage: .float32, fusion: fusion)
        }
        try run.storedPasses(storage: .bfloat16, fusion: .addRelu)
        try run.inPlaceAndOffsets()
        if testCase.shape == OclgrindCheck.activationShape {
            try run.separateActivation()
        }
        // last, as MemberStep releases its buffers
        try await run.splitPhases()
        #expect(run.keptBuffers > 0)
        #expect(try run.reserveWorkspace() == workspace, "the workspace grew: a buffer was released")
    }
}

/// The passes of one case on the Oclgrind backend beside the CPU reference. No OpenCL buffer is
/// released before the process ends: every buffer the check makes is kept (``keep(_:)``) and the
/// backend's workspace is sized once for the largest call (``reserveWorkspace()``), so that Oclgrind
/// never hands a new buffer a released one's shadow state (``OclgrindCheck``).
final class OclgrindRun {
    let backend: OpenCLBackend
    let testCase: TestCase
    private var kept: [AnyObject] = []

    init(backend: OpenCLBackend, testCase: TestCase) {
        self.backend = backend
        self.testCase = testCase
    }

    var keptBuffers: Int { kept.count }

    /// Keeps `buffer` alive for the rest of the process.
    @discardableResult
    func keep<Buffer: AnyObject>(_ buffer: Buffer) -> Buffer {
        kept.append(buffer)
        return buffer
    }

    /// Sizes the backend's workspace for any call of the case (a pass's partial sums are 3 per chunk
    /// and feature, and a feature has at most as many chunks as values), so that no pass grows it and
    /// releases the smaller buffer; returns the workspace's buffers, which stay the same if none grew.
    func reserveWorkspace() throws -> [ObjectIdentifier] {
        let count = testCase.shape.dimensions.reduce(1, *)
        return try backend.runner.withLock { runner in
            var buffers = [ObjectIdentifier(try runner.workspace.partials(count: 3 * count))]
            for slot in Workspace.FeatureSlot.allCases {
                buffers.append(ObjectIdentifier(try runner.workspace.perFeature(count: 3 * count, slot: slot)))
            }
            return buffers
        }
    }

    /// Appends the name of the plan the call would run (`bn-gpu-bench`'s variant column) to
    /// `BN_OCLGRIND_PLANS`, for the driver's report.
    func recordVariant(mode: NormalizationMode, storage: ElementType, _ label: String) throws {
        guard let path = ProcessInfo.processInfo.environment["BN_OCLGRIND_PLANS"] else { return }
        let name = try backend.kernelVariant(for: testCase.shape, options: BatchNormOptions(mode: mode), elementType: storage)
        let line = "\(testCase.shape) \(mode) \(storage): \(name)\n"
        if let handle = FileHandle(forWritingAtPath: path) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
        } else {
            try Data(line.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    /// The four passes with tensors stored as `storage` and `fusion` applied, OpenCL against the
    /// CPU reference: each 16-bit tensor may differ by one rounding on each side (2u), every
    /// per-feature result holds the float tolerance; the backward passes take the CPU's y, so that
    /// both mask dy alike.
    func storedPasses(storage: ElementType, fusion: FusedOperation, mode: NormalizationMode = .spatial) throws {
        let inputs = TestInputs(testCase, mode: mode)
        var random = SeededGenerator(seed: 1512)
        let z = fusion.addsInput ? random.normals(inputs.x.count) : nil
        let options = BatchNormOptions(mode: mode, fusion: fusion)
        let tensorTolerance = storage == .float32 ? Tolerance.openCL : 2 * storage.unitRoundoff + Tolerance.openCL
        let cpu = StoredPasses(CPUBackend(), storage: storage, shape: testCase.shape, options: options)
        let openCL = StoredPasses(backend, storage: storage, shape: testCase.shape, options: options) { self.keep($0) }
        let label = "\(storage) \(fusion) \(mode) \(testCase)"

        let expected = try cpu.forwardTraining(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        let actual = try openCL.forwardTraining(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        expectClose(actual.y, expected.y, tolerance: tensorTolerance, "y of \(label)")
        for (name, got, want) in [("mean", actual.mean, expected.mean), ("invStd", actual.invStd, expected.invStd),
                                  ("running mean", actual.running.mean, expected.running.mean),
                                  ("running variance", actual.running.variance, expected.running.variance)] {
            expectClose(got, want, tolerance: Tolerance.openCL, "\(name) of \(label)")
        }
        let inference = try openCL.forwardInference(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        expectClose(inference, try cpu.forwardInference(x: inputs.x, z: z, gamma: inputs.gamma, beta: inputs.beta,
                                                        running: inputs.running),
                    tolerance: tensorTolerance, "inference y of \(label)")
        let y = fusion == .none ? nil : expected.y
        expectSame(try openCL.backward(dy: inputs.dy, y: y, x: inputs.x, gamma: inputs.gamma, statistics: .batch(mean: expected.mean, invStd: expected.invStd)),
                   try cpu.backward(dy: inputs.dy, y: y, x: inputs.x, gamma: inputs.gamma, statistics: .batch(mean: expected.mean, invStd: expected.invStd)),
                   tensorTolerance: tensorTolerance, "backward of \(label)")
        expectSame(try openCL.backward(dy: inputs.dy, y: y, x: inputs.x, gamma: inputs.gamma, statistics: .running(inputs.running)),
                   try cpu.backward(dy: inputs.dy, y: y, x: inputs.x, gamma: inputs.gamma, statistics: .running(inputs.running)),
                   tensorTolerance: tensorTolerance, "frozen backward of \(label)")
    }

    /// A renormalizing training pass (r and d clipped on some features) and its backward pass, over
    /// the whole batch and, where N splits into two groups of at least 2, in two virtual batches.
    func renormalizedPasses(mode: NormalizationMode) throws {
        try renormalizedPasses(mode: mode, virtualBatchSize: nil)
        if testCase.shape.n.isMultiple(of: 2) && testCase.shape.n >= 4 {
            try renormalizedPasses(mode: mode, virtualBatchSize: testCase.shape.n / 2)
        }
    }

    private func renormalizedPasses(mode: NormalizationMode, virtualBatchSize: Int?) throws {
        var inputs = TestInputs(testCase, mode: mode)
        inputs.running.batchesTracked = 10
        let options = BatchNormOptions(mode: mode, renormalization: Renormalization(rMax: 2, dMax: 1),
                                       virtualBatchSize: virtualBatchSize)
        let cpu = StoredPasses(CPUBackend(), storage: .float32, shape: testCase.shape, options: options)
        let openCL = StoredPasses(backend, storage: .float32, shape: testCase.shape, options: options) { self.keep($0) }
        let label = "renormalized \(mode) \(testCase) V = \(virtualBatchSize.map(String.init) ?? "N")"
        let expected = try cpu.forwardTraining(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        let actual = try openCL.forwardTraining(x: inputs.x, z: nil, gamma: inputs.gamma, beta: inputs.beta, running: inputs.running)
        expectClose(actual.y, expected.y, tolerance: Tolerance.openCL, "y of \(label)")
        for (name, got, want) in [("r", actual.corrections?.r ?? [], expected.corrections?.r ?? []),
                                  ("d", actual.corrections?.d ?? [], expected.corrections?.d ?? []),
                                  ("running mean", actual.running.mean, expected.running.mean),
                                  ("running variance", actual.running.variance, expected.running.variance)] {
            expectClose(got, want, tolerance: Tolerance.openCL, "\(name) of \(label)")
        }
        expectSame(try openCL.backward(dy: inputs.dy, y: nil, x: inputs.x, gamma: inputs.gamma, statistics: expected.statistics),
                   try cpu.backward(dy: inputs.dy, y: nil, x: inputs.x, gamma: inputs.gamma, statistics: expected.statistics),
                   tensorTolerance: Tolerance.openCL, "backward of \(label)")
    }

    private func expectSame(_ actual: StoredBackward, _ expected: StoredBackward, tensorTolerance: Double, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(actual.dx, expected.dx, tolerance: tensorTolerance, "dx of \(label)", sourceLocation: sourceLocation)
        expectClose(actual.dGamma, expected.dGamma, tolerance: Tolerance.openCL, "dγ of \(label)", sourceLocation: sourceLocation)
        expectClose(actual.dBeta, expected.dBeta, tolerance: Tolerance.openCL, "dβ of \(label)", sourceLocation: sourceLocation)
        #expect(actual.dz == expected.dz, "dz of \(label)", sourceLocation: sourceLocation)
    }

    /// Synchronized batch norm's split phases (local statistics, the forward from merged
    /// statistics, gradient sums, the backward from merged sums) with two members on this backend,
    /// against the CPU reference's members. The members' tasks share the case's one thread
    /// (``ThreadExecutor``) and take turns at each exchange of statistics.
    func splitPhases() async throws {
        guard testCase.shape.n >= 2 else { return }
        let inputs = TestInputs(testCase, mode: .spatial)
        let options = BatchNormOptions(momentum: 0.1)
        let shape = testCase.shape
        func members<Backend: SplitPhaseBackend>(_ backend: Backend) async throws -> [MemberStep] {
            let group = try InProcessCommunicator.group(size: 2)
            return try await withThrowingTaskGroup(of: (Int, MemberStep).self) { tasks in
                for member in group {
                    tasks.addTask {
                        (member.rank, try await MemberStep.run(backend: backend, inputs: inputs, shape: shape,
                                                               rows: shape.rows(ofPart: member.rank, of: 2),
                                                               communicator: member, options: options))
                    }
                }
                return try await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.map(\.value)
            }
        }
        let expected = try await members(CPUBackend()), actual = try await members(backend)
        for (member, (got, want)) in zip(actual, expected).enumerated() {
            let label = "member \(member) of 2, \(testCase)"
            expectClose(got.y, want.y, tolerance: Tolerance.openCL, "split-phase y of \(label)")
            expectClose(got.dx, want.dx, tolerance: Tolerance.openCL, "split-phase dx of \(label)")
            for (name, values) in want.perFeature {
                expectClose(got.perFeature[name] ?? [], values, tolerance: Tolerance.openCL, "split-phase \(name) of \(label)")
            }
        }
    }

    /// y written over x and dx over dy, and every tensor a region at an odd offset of one caller's
    /// buffer, each bit for bit what separate buffers give.
    func inPlaceAndOffsets() throws {
        let inputs = TestInputs(testCase, mode: .spatial)
        let (shape, count, features) = (testCase.shape, inputs.x.count, inputs.gamma.count)
        let options = BatchNormOptions()
        func perFeature() throws -> OpenCLBuffer { keep(try backend.makeBuffer(count: features)) }
        let gamma = keep(try backend.upload(inputs.gamma)), beta = keep(try backend.upload(inputs.beta))
        let mean = try perFeature(), invStd = try perFeature(), dGamma = try perFeature(), dBeta = try perFeature()

        func step(x: OpenCLBuffer, y: OpenCLBuffer, dy: OpenCLBuffer, dx: OpenCLBuffer,
                  writesInputs: Bool = true) throws -> (y: [Float], dx: [Float]) {
            if writesInputs {
                try backend.write(inputs.x, to: x)
                try backend.write(inputs.dy, to: dy)
            }
            var running = RunningStatisticsBuffers(mean: keep(try backend.upload(inputs.running.mean)),
                                                   variance: keep(try backend.upload(inputs.running.variance)))
            try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running, options: options,
                                        y: y, mean: mean, invStd: invStd)
            let y = try backend.download(y)
            let input = keep(try backend.upload(inputs.x))
            try backend.backward(dy: dy, y: nil, x: input, shape: shape, gamma: gamma, statistics: .batch(mean: mean, invStd: invStd), options: options,
                                 dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
            return (y, try backend.download(dx))
        }
        func tensor() throws -> OpenCLBuffer { keep(try backend.makeBuffer(count: count)) }
        let separate = try step(x: try tensor(), y: try tensor(), dy: try tensor(), dx: try tensor())
        let x = try tensor(), dy = try tensor()
        let inPlace = try step(x: x, y: x, dy: dy, dx: dy)
        #expect(inPlace.y == separate.y, "y in place of x, \(testCase)")
        #expect(inPlace.dx == separate.dx, "dx in place of dy, \(testCase)")

        // x at 1 and dy at 2 * count + 5 of the caller's memory, written by one upload of the whole
        // memory: Oclgrind 21.10 loses track of a host write at an offset (shadow_state.c, offset)
        let (xAt, yAt, dyAt, dxAt) = (1, count + 4, 2 * count + 5, 3 * count + 8)
        var contents = [Float](repeating: 0, count: 4 * count + 9)
        contents.replaceSubrange(xAt..<(xAt + count), with: inputs.x)
        contents.replaceSubrange(dyAt..<(dyAt + count), with: inputs.dy)
        let memory = keep(try backend.upload(contents))
        func region(_ offset: Int) throws -> OpenCLBuffer {
            keep(try backend.buffer(retaining: memory.memory, offset: offset, count: count))
        }
        let offsets = try step(x: try region(xAt), y: try region(yAt), dy: try region(dyAt), dx: try region(dxAt),
                               writesInputs: false)
        #expect(offsets.y == separate.y, "y at an odd offset, \(testCase)")
        #expect(offsets.dx == separate.dx, "dx at an odd offset, \(testCase)")
    }

    /// The activation's own kernels (`bn_activation.cl`, the unfused sequence the bench times):
    /// relu(a + b) and relu(a), then the gradient behind each into one or two outputs, in float and
    /// half storage, against the same arithmetic on the host: one float addition, a sign test, and
    /// one rounding to the storage.
    func separateActivation() throws {
        let count = testCase.shape.dimensions.reduce(1, *)
        var random = SeededGenerator(seed: 2612)
        let (a, b, gradient) = (random.normals(count), random.normals(count), random.normals(count))
        for storage in [ElementType.float32, .float16] {
            let (a, b, gradient) = (a.map(storage.rounded), b.map(storage.rounded), gradient.map(storage.rounded))
            func upload(_ values: [Float]) throws -> OpenCLBuffer { keep(try backend.upload(values, as: storage)) }
            func tensor() throws -> OpenCLBuffer { keep(try backend.makeBuffer(count: count, elementType: storage)) }
            let (aBuffer, bBuffer, gradientBuffer) = (try upload(a), try upload(b), try upload(gradient))
            for adds in [true, false] {
                let expected = (adds ? zip(a, b).map { $0 + $1 } : a).map { storage.rounded($0 < 0 ? 0 : $0) }
                let out = try tensor(), da = try tensor(), db = adds ? try tensor() : nil
                try backend.relu(aBuffer, adding: adds ? bBuffer : nil, into: out)
                try backend.reluBackward(gradient: gradientBuffer, output: out, into: da, also: db)
                let label = "\(adds ? "relu(a + b)" : "relu(a)") in \(storage), \(testCase)"
                #expect(try backend.download(out) == expected, "\(label)")
                let masked = zip(gradient, expected).map { $1 <= 0 ? 0 : $0 }
                #expect(try backend.download(da) == masked, "its gradient, \(label)")
                if let db { #expect(try backend.download(db) == masked, "its gradient of b, \(label)") }
            }
        }
    }
}
