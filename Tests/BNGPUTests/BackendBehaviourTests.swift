import BNCore
import BNCPU
@testable import BNGPU
import BNTestSupport
import Testing

@Suite("OpenCL backend behaviour", .enabled(if: TestBackends.hasOpenCLDevice))
struct BackendBehaviourTests {
    static let cases = [
        TestCase("primes", TensorShape(n: 3, c: 5, h: 31, w: 37)),
        TestCase("odd sizes", TensorShape(n: 7, c: 19, h: 9, w: 5, layout: .nhwc)),
        TestCase("BN1d", TensorShape(n: 33, c: 70)),
    ]

    @Test("the 64-bit index variant computes what the CPU reference does", arguments: cases)
    func wideIndices(testCase: TestCase) throws {
        let wide = try OpenCLBackend(device: Device.select(TestBackends.deviceQuery), isProfilingEnabled: false,
                                     forcesWideIndices: true)
        #expect(try wide.kernelVariant(for: testCase.shape, options: BatchNormOptions()).hasSuffix("64-bit"))
        let inputs = TestInputs(testCase, mode: .spatial)
        let indexing = TensorIndexing(shape: testCase.shape, mode: .spatial)
        var wideRunning = inputs.running, cpuRunning = inputs.running
        let actual = try wide.forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma, beta: inputs.beta,
                                              running: &wideRunning, options: BatchNormOptions())
        let expected = try CPUBackend().forwardTraining(x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                                        beta: inputs.beta, running: &cpuRunning, options: BatchNormOptions())
        expectClose(actual.y, expected.y, tolerance: Tolerance.openCL, "y", locate: indexing.describe(index:))
        let gradients = try wide.backward(dy: inputs.dy, x: inputs.x, shape: testCase.shape, gamma: inputs.gamma,
                                          statistics: .batch(mean: expected.mean, invStd: expected.invStd), options: BatchNormOptions())
        let reference = Float64Reference.backward(dy: inputs.dy, x: inputs.x, indexing: indexing, gamma: inputs.gamma,
                                                  mean: expected.mean.map(Double.init), invStd: expected.invStd.map(Double.init),
                                                  usesBatchStatistics: true)
        expectClose(gradients.dx, reference.dx, scale: reference.dxScale, tolerance: Tolerance.openCL, "dx",
                    locate: indexing.describe(index:))
    }

    @Test("y may be x and dx may be dy")
    func inPlace() throws {
        let backend = try TestBackends.openCL()
        let testCase = Self.cases[0]
        let inputs = TestInputs(testCase, mode: .spatial)
        let options = BatchNormOptions()
        let x = try backend.upload(inputs.x), separateY = try backend.makeBuffer(count: inputs.x.count)
        let mean = try backend.makeBuffer(count: 5), invStd = try backend.makeBuffer(count: 5)
        var running = try backend.upload(inputs.running)
        try backend.forwardTraining(x: x, z: nil, shape: testCase.shape, gamma: nil, beta: nil, running: &running, options: options,
                                    y: separateY, mean: mean, invStd: invStd)
        try backend.forwardTraining(x: x, z: nil, shape: testCase.shape, gamma: nil, beta: nil, running: &running, options: options,
                                    y: x, mean: mean, invStd: invStd)
        #expect(try backend.download(x) == backend.download(separateY))

        let dy = try backend.upload(inputs.dy), separateDx = try backend.makeBuffer(count: inputs.dy.count)
        let dGamma = try backend.makeBuffer(count: 5), dBeta = try backend.makeBuffer(count: 5)
        let savedMean = try backend.upload(try backend.download(mean)), savedInvStd = try backend.upload(try backend.download(invStd))
        let input = try backend.upload(inputs.x)
        try backend.backward(dy: dy, y: nil, x: input, shape: testCase.shape, gamma: nil, statistics: .batch(mean: savedMean, invStd: savedInvStd),
                             options: options, dx: separateDx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        try backend.backward(dy: dy, y: nil, x: input, shape: testCase.shape, gamma: nil, statistics: .batch(mean: savedMean, invStd: savedInvStd),
                             options: options, dx: dy, dz: nil, dGamma: dGamma, dBeta: dBeta)
        #expect(try backend.download(dy) == backend.download(separateDx))
    }

    @Test("kernel time is measured with profiling and refused without")
    func measurement() throws {
        let profiled = try OpenCLBackend(device: TestBackends.deviceQuery, isProfilingEnabled: true)
        let shape = TensorShape(n: 8, c: 4, h: 8, w: 8)
        let x = try profiled.upload([Float](repeating: 2, count: 2048)), y = try profiled.makeBuffer(count: 2048)
        let running = try profiled.upload(RunningStatistics(channels: 4))
        let seconds = try profiled.measureKernelTime {
            try profiled.forwardInference(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: running,
                                          options: BatchNormOptions(), y: y)
        }
        #expect(seconds > 0 && seconds < 10)
        #expect(try profiled.measureCopy(count: 1 << 16, repetitions: 3).allSatisfy { $0 > 0 })
        #expect(throws: BatchNormError.self) { try TestBackends.openCL().measureKernelTime {} }
    }

    @Test("the copy kernel of the bandwidth ceiling copies every float, ragged ends included",
          arguments: [1, 17, 16_384 + 5, 100_003])
    func copyKernel(count: Int) throws {
        let backend = try TestBackends.openCL()
        let values = (0..<count).map { Float($0) * 0.5 - 3 }
        let source = try backend.upload(values), destination = try backend.makeBuffer(count: count + 7)
        try backend.write([Float](repeating: .nan, count: count + 7), to: destination)
        try backend.enqueueCopy(from: source, to: destination, count: count)
        let copied = try backend.download(destination)
        #expect(Array(copied.prefix(count)) == values)
        #expect(copied.suffix(7).allSatisfy { $0.isNaN }, "the copy wrote past its end")
    }
}
