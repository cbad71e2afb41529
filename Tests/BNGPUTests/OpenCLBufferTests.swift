import BNCore
@testable import BNGPU
import BNTestSupport
import Testing

@Suite("Device buffers", .enabled(if: TestBackends.hasOpenCLDevice))
struct OpenCLBufferTests {
    @Test("upload and download round-trip, and write overwrites")
    func roundTrip() throws {
        let backend = try TestBackends.openCL()
        let values: [Float] = [1, -2.5, .pi, .nan, .infinity, 0]
        let buffer = try backend.upload(values)
        #expect(buffer.count == 6)
        #expect(try backend.download(buffer).elementsEqual(values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        try backend.write([6, 5, 4, 3, 2, 1], to: buffer)
        #expect(try backend.download(buffer) == [6, 5, 4, 3, 2, 1])
    }

    @Test("an empty buffer is refused", arguments: [0, -3])
    func emptyBuffer(count: Int) throws {
        let backend = try TestBackends.openCL()
        #expect(throws: BatchNormError.invalidBufferCount(count)) { try backend.makeBuffer(count: count) }
        #expect(throws: BatchNormError.invalidBufferCount(0)) { try backend.upload([]) }
    }

    @Test("a buffer larger than the device allows is refused before allocation, naming the limit")
    func tooLarge() throws {
        let backend = try TestBackends.openCL()
        let limit = backend.device.maxAllocationBytes
        let count = limit / 4 + 1
        #expect(throws: BatchNormError.allocationTooLarge(bytes: count * 4, limit: limit, device: backend.device.name)) {
            try backend.makeBuffer(count: count)
        }
        #expect(throws: BatchNormError.allocationTooLarge(bytes: .max, limit: limit, device: backend.device.name)) {
            try backend.makeBuffer(count: .max)
        }
    }

    @Test("writing the wrong number of values is refused")
    func writeMismatch() throws {
        let backend = try TestBackends.openCL()
        let buffer = try backend.upload([1, 2, 3])
        #expect(throws: BatchNormError.lengthMismatch(argument: "values", expected: 3, actual: 2, shape: TensorShape(n: 1, c: 3))) {
            try backend.write([1, 2], to: buffer)
        }
        #expect(try backend.download(buffer) == [1, 2, 3])
    }

    @Test("a buffer of another backend's context is refused, and nothing is written")
    func foreignBuffer() throws {
        let backend = try TestBackends.openCL()
        let other = try OpenCLBackend(device: TestBackends.deviceQuery)
        let shape = TensorShape(n: 2, c: 2)
        let foreign = try other.upload([1, 2, 3, 4])
        let running = try backend.upload(RunningStatistics(channels: 2))
        let y = try backend.upload([9, 9, 9, 9])
        #expect(throws: BatchNormError.foreignBuffer(argument: "x")) {
            try backend.forwardInference(x: foreign, z: nil, shape: shape, gamma: nil, beta: nil, running: running,
                                         options: BatchNormOptions(), y: y)
        }
        #expect(throws: BatchNormError.foreignBuffer(argument: "buffer")) { try backend.download(foreign) }
        #expect(throws: BatchNormError.foreignBuffer(argument: "buffer")) { try backend.write([0, 0, 0, 0], to: foreign) }
        #expect(try backend.download(y) == [9, 9, 9, 9])
    }
}
