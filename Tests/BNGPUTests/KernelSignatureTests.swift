import BNCore
@testable import BNGPU
import BNTestSupport
import Foundation
import Testing

/// Each kernel's call (`KernelCall`, made beside the routine that enqueues it) against the kernel as
/// the compiler sees it, with programs built with `-cl-kernel-arg-info`: a parameter renamed, moved,
/// added or retyped in a `.cl` file, or an argument out of place on the Swift side, fails here.
@Suite("Kernel signatures", .enabled(if: TestBackends.hasOpenCLDevice))
struct KernelSignatureTests {
    /// What the watcher saw: the kernels launched, and every call that differed from its kernel.
    final class Launches: @unchecked Sendable {
        private let lock = NSLock()
        private var kernels: Set<KernelName> = []
        private var mismatches: [String] = []

        func record(_ kernel: Kernel, _ call: KernelCall) throws {
            let expected = try kernel.parameters(), actual = call.parameters
            lock.withLock {
                kernels.insert(call.kernel)
                if actual != expected {
                    mismatches.append("\(call.kernel.rawValue): the call passes \(actual), the kernel takes \(expected)")
                }
            }
        }

        var seen: Set<KernelName> { lock.withLock { kernels } }
        var differences: [String] { lock.withLock { mismatches } }
    }

    /// The default settings, then settings that take the paths they skip on small shapes: features
    /// split into chunks and merged (never resident), one-work-item elementwise groups (the inverse
    /// standard deviation as its own kernel before inference).
    static let settings: [LaunchSettings?] = [
        nil,
        LaunchSettings(vectorWidth: 4, reductionGroupSize: 16, valuesPerChunk: 64, elementwiseColumns: 1,
                       valuesPerElementwiseItem: 64, residentFeatureBytes: 0, interleavedSpan: 2),
    ]

    static let shapes = [
        TensorShape(n: 4, c: 3, h: 5, w: 7),
        TensorShape(n: 6, c: 5, h: 3, w: 3, layout: .nhwc),
        TensorShape(n: 9, c: 10),
    ]

    @Test("every kernel launched, on every path, gets its parameters' names and kinds in order")
    func callsMatchKernels() throws {
        let launches = Launches()
        try KernelLibrary.$keepsArgumentInfo.withValue(true) {
            try KernelRunner.$launchWatcher.withValue({ try launches.record($0, $1) }) {
                for settings in Self.settings {
                    let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
                    try backend.overrideLaunchSettings(settings)
                    for shape in Self.shapes {
                        try Self.runEveryPass(on: backend, shape: shape)
                    }
                    try Self.runFlatKernels(on: backend)
                }
            }
        }
        #expect(launches.differences == [])
        #expect(launches.seen == Set(KernelName.allCases),
                "never launched: \(Set(KernelName.allCases).subtracting(launches.seen).map(\.rawValue).sorted())")
    }

    @Test("a call whose arguments are out of order, or named otherwise, does not pass for the kernel's")
    func mismatchesShow() throws {
        try KernelLibrary.$keepsArgumentInfo.withValue(true) {
            let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
            try backend.runner.withLock { runner in
                let variant = KernelVariant(indexWidth: .narrow, vectorWidth: 4, storage: .float32)
                let kernel = try runner.library.kernel(.inverseStd, variant: variant)
                let buffer = try backend.makeBuffer(count: 4)
                let right = KernelCall.inverseStd(variance: buffer, invstd: buffer, invstdLo: buffer, features: 4, epsilon: 1e-5)
                #expect(try kernel.parameters() == right.parameters)
                let swapped = KernelCall(.inverseStd, [
                    "invstd": .buffer(buffer), "variance": .buffer(buffer), "invstd_lo": .buffer(buffer),
                    "features": .size(4), "epsilon": .float(1e-5),
                ])
                let retyped = KernelCall(.inverseStd, [
                    "variance": .buffer(buffer), "invstd": .buffer(buffer), "invstd_lo": .buffer(buffer),
                    "features": .flag(true), "epsilon": .float(1e-5),
                ])
                #expect(try kernel.parameters() != swapped.parameters)
                #expect(try kernel.parameters() != retyped.parameters)
            }
        }
    }

    /// Training (plain and fused), inference, the backward pass with batch and with frozen
    /// statistics (plain and fused), and the split phases.
    static func runEveryPass(on backend: OpenCLBackend, shape: TensorShape) throws {
        let inputs = TestInputs(TestCase("signatures", shape), mode: .spatial)
        let count = inputs.x.count, features = inputs.gamma.count
        let x = try backend.upload(inputs.x), dy = try backend.upload(inputs.dy), z = try backend.upload(inputs.dy)
        let gamma = try backend.upload(inputs.gamma), beta = try backend.upload(inputs.beta)
        var running = try backend.upload(inputs.running)
        let y = try backend.makeBuffer(count: count), dx = try backend.makeBuffer(count: count)
        let dz = try backend.makeBuffer(count: count)
        let mean = try backend.makeBuffer(count: features), invStd = try backend.makeBuffer(count: features)
        let dGamma = try backend.makeBuffer(count: features), dBeta = try backend.makeBuffer(count: features)
        for fusion in [FusedOperation.none, .addRelu] {
            let options = BatchNormOptions(fusion: fusion)
            let fused = fusion == .none ? nil : y
            try backend.forwardTraining(x: x, z: fusion == .none ? nil : z, shape: shape, gamma: gamma, beta: beta,
                                        running: &running, options: options, y: y, mean: mean, invStd: invStd)
            try backend.forwardInference(x: x, z: fusion == .none ? nil : z, shape: shape, gamma: gamma, beta: beta,
                                         running: running, options: options, y: y)
            for statistics in [BackwardStatistics.batch(mean: mean, invStd: invStd), .running(running)] {
                try backend.backward(dy: dy, y: fused, x: x, shape: shape, gamma: gamma, statistics: statistics,
                                     options: options, dx: dx, dz: fusion == .none ? nil : dz, dGamma: dGamma,
                                     dBeta: dBeta)
            }
        }
        let renorm = BatchNormOptions(renormalization: Renormalization(rMax: 2, dMax: 1))
        let r = try backend.makeBuffer(count: features), d = try backend.makeBuffer(count: features)
        try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running,
                                    options: renorm, y: y, mean: mean, invStd: invStd,
                                    corrections: RenormCorrections(r: r, d: d))
        try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma,
                             statistics: .renormalized(mean: mean, invStd: invStd, r: r, d: d), options: renorm,
                             dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        // virtual batches: each group's kernels on regions, then the groups' blend and gradient sums
        let size = shape.n.isMultiple(of: 2) ? shape.n / 2 : shape.n / 3, statisticsCount = shape.n / size * features
        var groups = BatchNormOptions(virtualBatchSize: size)
        groups.renormalization = .batchNorm
        let groupMean = try backend.makeBuffer(count: statisticsCount)
        let groupInvStd = try backend.makeBuffer(count: statisticsCount)
        let groupR = try backend.makeBuffer(count: statisticsCount), groupD = try backend.makeBuffer(count: statisticsCount)
        try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: gamma, beta: beta, running: &running,
                                    options: groups, y: y, mean: groupMean, invStd: groupInvStd,
                                    corrections: RenormCorrections(r: groupR, d: groupD))
        try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: gamma,
                             statistics: .renormalized(mean: groupMean, invStd: groupInvStd, r: groupR, d: groupD),
                             options: groups, dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        let statistics = try backend.localStatistics(x: x, shape: shape, options: BatchNormOptions())
        try backend.forwardTraining(x: x, shape: shape, gamma: gamma, beta: beta, statistics: statistics,
                                    running: &running, options: BatchNormOptions(), y: y, mean: mean, invStd: invStd)
        let sums = try backend.gradientSums(dy: dy, x: x, shape: shape, mean: mean, options: BatchNormOptions())
        try backend.backward(dy: dy, x: x, shape: shape, gamma: gamma, mean: mean, invStd: invStd, sums: sums,
                             options: BatchNormOptions(), dx: dx, dGamma: dGamma, dBeta: dBeta)
        try backend.synchronize()
    }

    /// The activation kernels and the copy of the bandwidth ceiling.
    static func runFlatKernels(on backend: OpenCLBackend) throws {
        let a = try backend.upload([Float](repeating: -1, count: 100)), b = try backend.upload([Float](repeating: 2, count: 100))
        let out = try backend.makeBuffer(count: 100), da = try backend.makeBuffer(count: 100)
        try backend.relu(a, adding: b, into: out)
        try backend.reluBackward(gradient: a, output: out, into: da, also: b)
        try backend.enqueueCopy(from: a, to: out, count: 100)
        try backend.synchronize()
    }
}
