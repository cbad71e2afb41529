import BNCore
@testable import BNGPU
import BNTestSupport
import COpenCL
import Testing

/// The manual's "inside an engine" example (`engineStep`, EngineIntegration.md), compiled here and run on objects the
/// test makes through the C API.
@Suite("The manual's engine step", .enabled(if: TestBackends.hasOpenCLDevice))
struct EngineStepTests {
    @Test("runs on the caller's queue and memory and equals the synchronous calls")
    func engineStepRuns() async throws {
        let raw = try RawOpenCL(isOutOfOrder: true)
        let shape = TensorShape(n: 4, c: 3, h: 5, w: 5), count = 4 * 3 * 25
        let inputs = TestInputs(TestCase("engine", shape), mode: .spatial)
        // x, y, dy and dx one after another from element 7: no offset is a multiple of a vector width
        let memory = try raw.makeMemory(floats: 7 + 4 * count, filledWith: 0)
        try raw.write(inputs.x, to: memory, at: 7)
        try raw.write(inputs.dy, to: memory, at: 7 + 2 * count)
        let backend = try OpenCLBackend(retaining: raw.context, queue: raw.queue)
        let layer = try EngineLayer(backend: backend, features: 3)

        // the engine's last command: a marker the step waits for
        var marker: cl_event?
        try RawOpenCL.check("clEnqueueMarkerWithWaitList", clEnqueueMarkerWithWaitList(raw.queue, 0, nil, &marker))
        let engineEvent = try OpenCLEvent(retaining: try #require(marker))
        clReleaseEvent(marker)

        let done = try engineStep(backend: backend, memory: memory, offset: 7, shape: shape, layer: layer,
                                  after: engineEvent)
        try await done.completion()
        var handle: cl_event? = done.handle
        let y = try raw.read(memory, at: 7 + count, count: count, after: [handle])
        let dx = try raw.read(memory, at: 7 + 3 * count, count: count, after: [handle])
        handle = nil

        let reference = try OpenCLBackend(device: TestBackends.deviceQuery)
        var running = RunningStatistics(channels: 3)
        let forward = try reference.forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil, running: &running,
                                                    options: BatchNormOptions())
        let backward = try reference.backward(dy: inputs.dy, x: inputs.x, shape: shape, gamma: nil, statistics: .batch(mean: forward.mean, invStd: forward.invStd), options: BatchNormOptions())
        #expect(y == forward.y)
        #expect(dx == backward.dx)
        #expect(try backend.download(layer.dGamma) == backward.dGamma)
        #expect(try backend.download(layer.running.mean) == running.mean)
    }
}

/// What the manual's example keeps between steps: per-feature buffers the backend makes.
final class EngineLayer {
    let mean, invStd, dGamma, dBeta: OpenCLBuffer
    var running: RunningStatisticsBuffers<OpenCLBuffer>

    init(backend: OpenCLBackend, features: Int) throws {
        (mean, invStd) = (try backend.makeBuffer(count: features), try backend.makeBuffer(count: features))
        (dGamma, dBeta) = (try backend.makeBuffer(count: features), try backend.makeBuffer(count: features))
        running = try backend.upload(RunningStatistics(channels: features))
    }
}

/// One training step of batch norm inside an engine: x, y, dy and dx are regions of the engine's
/// `memory`, one after another from `offset`; the step waits for the engine's last command and
/// returns the event of its own last kernel, with no host wait in between.
func engineStep(
    backend: OpenCLBackend, memory: cl_mem, offset: Int, shape: TensorShape, layer: EngineLayer,
    after engineEvent: OpenCLEvent
) throws -> OpenCLEvent {
    let count = shape.dimensions.reduce(1, *)
    let x = try backend.buffer(retaining: memory, offset: offset, count: count)
    let y = try backend.buffer(retaining: memory, offset: offset + count, count: count)
    let dy = try backend.buffer(retaining: memory, offset: offset + 2 * count, count: count)
    let dx = try backend.buffer(retaining: memory, offset: offset + 3 * count, count: count)
    let forward = try backend.forwardTraining(
        x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: &layer.running, options: BatchNormOptions(),
        y: y, mean: layer.mean, invStd: layer.invStd, waitingFor: [engineEvent])
    // (the engine's loss would run here, after `forward`, and write dy)
    return try backend.backward(
        dy: dy, y: nil, x: x, shape: shape, gamma: nil, statistics: .batch(mean: layer.mean, invStd: layer.invStd), options: BatchNormOptions(),
        dx: dx, dz: nil, dGamma: layer.dGamma, dBeta: layer.dBeta, waitingFor: [forward])
}
