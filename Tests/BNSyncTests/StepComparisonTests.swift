import BatchNorm
@testable import bn_sync
import Testing

/// bn-sync's judgement, in-process: a wrong output must show, a right one must not.
@Suite("bn-sync's comparison")
struct StepComparisonTests {
    /// The CPU reference's outputs on a whole seeded batch.
    static func outputs(_ batch: SeededBatch) throws -> StepComparison.Outputs {
        let backend = CPUBackend()
        var running = batch.running
        let forward = try backend.forwardTraining(x: batch.x, shape: batch.shape, gamma: batch.gamma, beta: batch.beta,
                                                  running: &running, options: BatchNormOptions())
        let backward = try backend.backward(dy: batch.dy, x: batch.x, shape: batch.shape, gamma: batch.gamma,
                                            statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: BatchNormOptions())
        return StepComparison.Outputs(forward: forward, backward: backward, running: running)
    }

    /// The outputs of the rows `elements`, as a rank holds them.
    static func rows(_ outputs: StepComparison.Outputs, _ elements: Range<Int>) -> StepComparison.Outputs {
        var part = outputs
        part.forward.y = Array(outputs.forward.y[elements])
        part.backward.dx = Array(outputs.backward.dx[elements])
        return part
    }

    static let batch = SeededBatch(shape: TensorShape(n: 5, c: 3, h: 2, w: 3), seed: 4)

    @Test("a rank's rows equal to the reference differ by nothing, an empty part included", arguments: [0..<18, 36..<90, 0..<0])
    func equal(elements: Range<Int>) throws {
        let reference = try Self.outputs(Self.batch)
        let scales = ComparisonScales(batch: Self.batch, reference: reference)
        let difference = StepComparison.worst(Self.rows(reference, elements), reference, scales: scales, elements: elements)
        #expect(difference.error == 0)
    }

    @Test("one changed value shows in its output, above the tolerance", arguments: ["y", "dx", "mean", "invStd", "running mean", "running variance", "dγ", "dβ"])
    func changed(output: String) throws {
        let reference = try Self.outputs(Self.batch)
        let scales = ComparisonScales(batch: Self.batch, reference: reference)
        let elements = 18..<36
        var part = Self.rows(reference, elements)
        func change(_ values: inout [Float]) { values[1] += 1e-3 * max(abs(values[1]), 1) }
        switch output {
        case "y": change(&part.forward.y)
        case "dx": change(&part.backward.dx)
        case "mean": change(&part.forward.mean)
        case "invStd": change(&part.forward.invStd)
        case "running mean": change(&part.running.mean)
        case "running variance": change(&part.running.variance)
        case "dγ": change(&part.backward.dGamma)
        default: change(&part.backward.dBeta)
        }
        let difference = StepComparison.worst(part, reference, scales: scales, elements: elements)
        #expect(difference.output == output)
        #expect(difference.index == 1)
        #expect(difference.error > ErrorMetric.openCLTolerance)
    }

    @Test("with two values per channel, dx is judged at dy's scale, not at its own cancelled size")
    func cancellingGradient() throws {
        let batch = SeededBatch(shape: TensorShape(n: 2, c: 4, h: 1, w: 1), seed: 2)
        let reference = try Self.outputs(batch)
        let scales = ComparisonScales(batch: batch, reference: reference)
        for (index, dx) in reference.backward.dx.enumerated() {
            let channel = index % 4
            let expected = Double(abs(batch.gamma[channel])) * Double(reference.forward.invStd[channel])
                * ((Double(batch.dy[channel]) * Double(batch.dy[channel]) + Double(batch.dy[4 + channel]) * Double(batch.dy[4 + channel])) / 2).squareRoot()
            #expect(abs(scales.dx[index] - expected) <= 1e-12 * expected)
            // dx is what ε leaves of the cancelled terms: far below their scale.
            #expect(abs(Double(dx)) < 1e-3 * scales.dx[index])
        }
    }

    @Test("an element's channel follows the layout", arguments: [TensorLayout.nchw, .nhwc])
    func channels(layout: TensorLayout) {
        let channel = ComparisonScales.channelOfElement(TensorShape(n: 2, c: 3, h: 1, w: 2, layout: layout))
        let expected = layout == .nchw ? [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2] : [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]
        #expect((0..<12).map(channel) == expected)
    }

    @Test("every rank draws the same batch from a seed, and another seed draws another")
    func seeded() {
        let shape = TensorShape(n: 4, c: 2, h: 3, w: 3)
        let first = SeededBatch(shape: shape, seed: 9), second = SeededBatch(shape: shape, seed: 9)
        #expect(first.x == second.x && first.dy == second.dy && first.running == second.running)
        #expect(first.x != SeededBatch(shape: shape, seed: 10).x)
        #expect(first.x.count == 72 && first.x.allSatisfy { (3..<7).contains($0) })
    }
}
