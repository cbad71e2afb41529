import BNCore
import BNCPU
@testable import BNGPU
import BNKernels
import BNTestSupport
import Testing

@Suite("Failed OpenCL calls", .enabled(if: TestBackends.hasOpenCLDevice))
struct FaultInjectionTests {
    let shape = TensorShape(n: 4, c: 3, h: 5, w: 5)

    @Test("a failed enqueue names the function and the status, and the backend keeps working")
    func failedEnqueue() throws {
        let backend = try TestBackends.openCL()
        let x = [Float](repeating: 1, count: 300), running = RunningStatistics(channels: 3)
        let fault = OpenCLCall.Fault(function: "clEnqueueNDRangeKernel", status: .outOfResources)
        OpenCLCall.$injectedFault.withValue(fault) {
            #expect(throws: BatchNormError.openCLCallFailed(function: "clEnqueueNDRangeKernel", code: -5, name: "CL_OUT_OF_RESOURCES")) {
                try backend.forwardInference(x: x, shape: shape, gamma: nil, beta: nil, running: running, options: BatchNormOptions())
            }
        }
        let y = try backend.forwardInference(x: x, shape: shape, gamma: nil, beta: nil, running: running, options: BatchNormOptions())
        #expect(y.allSatisfy { abs($0 - 1 / (1 + 1e-5).squareRoot()) < 1e-6 })
    }

    @Test("a failed allocation throws, and the next allocation succeeds")
    func failedAllocation() throws {
        let backend = try TestBackends.openCL()
        let fault = OpenCLCall.Fault(function: "clCreateBuffer", status: .memoryAllocationFailure)
        OpenCLCall.$injectedFault.withValue(fault) {
            #expect(throws: BatchNormError.openCLCallFailed(function: "clCreateBuffer", code: -4, name: "CL_MEM_OBJECT_ALLOCATION_FAILURE")) {
                try backend.makeBuffer(count: 16)
            }
        }
        #expect(try backend.makeBuffer(count: 16).count == 16)
    }

    @Test("a fault injected in one task leaves other tasks alone")
    func taskLocal() async throws {
        let backend = try TestBackends.openCL()
        let fault = OpenCLCall.Fault(function: "clCreateBuffer", status: .outOfResources)
        let counts = try await OpenCLCall.$injectedFault.withValue(fault) { () async throws -> (Int, Bool) in
            let other = Task.detached { try backend.makeBuffer(count: 4).count }
            let failsHere = (try? backend.makeBuffer(count: 4)) == nil
            return (try await other.value, failsHere)
        }
        #expect(counts == (4, true))
    }

    @Test("a kernel source that fails to build gives the build log, writes nothing, and the next call builds")
    func failedBuild() throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        let broken: @Sendable (KernelSource) -> String = { family in
            KernelLibrary.source(of: family) + (family == .backward ? "\nkernel void bn_broken(global float* x) { x[0] = not_declared; }\n" : "")
        }
        let inputs = TestInputs(TestCase("primes", shape), mode: .spatial)
        let dy = try backend.upload(inputs.dy), x = try backend.upload(inputs.x)
        let mean = try backend.upload([0.5, 1, 1.5]), invStd = try backend.upload([1, 2, 3])
        let dx = try backend.upload([Float](repeating: 7, count: 300))
        let dGamma = try backend.upload([7, 7, 7]), dBeta = try backend.upload([7, 7, 7])
        func run() throws {
            try backend.backward(dy: dy, y: nil, x: x, shape: shape, gamma: nil, statistics: .batch(mean: mean, invStd: invStd), options: BatchNormOptions(),
                                 dx: dx, dz: nil, dGamma: dGamma, dBeta: dBeta)
        }
        KernelLibrary.$injectedSource.withValue(broken) {
            #expect {
                try run()
            } throws: { error in
                guard case let BatchNormError.kernelBuildFailed(program, device, log) = error else { return false }
                return program == "bn_backward" && device == backend.device.name && log.contains("not_declared")
                    && "\(error)".contains("not_declared")
            }
        }
        for buffer in [dx, dGamma, dBeta] { #expect(try backend.download(buffer).allSatisfy { $0 == 7 }) }
        try run()
        #expect(try backend.download(dBeta) != [7, 7, 7])
    }

    @Test("an allocation that fails inside a pass throws, writes nothing, and the pass then works",
          arguments: [TensorShape(n: 4, c: 3, h: 5, w: 5, layout: .nhwc), TensorShape(n: 40, c: 3)])
    func failedWorkspaceAllocation(shape: TensorShape) throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        let inputs = TestInputs(TestCase("workspace", shape), mode: .spatial)
        let x = try backend.upload(inputs.x), y = try backend.upload([Float](repeating: 7, count: inputs.x.count))
        let mean = try backend.upload([7, 7, 7]), invStd = try backend.upload([7, 7, 7])
        var running = try backend.upload(inputs.running)
        func run() throws {
            try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: &running,
                                        options: BatchNormOptions(), y: y, mean: mean, invStd: invStd)
        }
        let fault = OpenCLCall.Fault(function: "clCreateBuffer", status: .memoryAllocationFailure)
        OpenCLCall.$injectedFault.withValue(fault) {
            #expect(throws: BatchNormError.openCLCallFailed(function: "clCreateBuffer", code: -4,
                                                            name: "CL_MEM_OBJECT_ALLOCATION_FAILURE")) { try run() }
        }
        #expect(running.batchesTracked == 0)
        #expect(try backend.download(running) == inputs.running)
        for buffer in [y, mean, invStd] { #expect(try backend.download(buffer).allSatisfy { $0 == 7 }) }
        try run()
        #expect(running.batchesTracked == 1)
        var cpuRunning = inputs.running
        let expected = try CPUBackend().forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil,
                                                        running: &cpuRunning, options: BatchNormOptions())
        expectClose(try backend.download(y), expected.y, tolerance: Tolerance.openCL, "y after the failed allocation")
    }

    @Test("an enqueue refused in the middle of a pass throws, leaves batchesTracked alone, and the next call is right")
    func failedLaterEnqueue() throws {
        let backend = try OpenCLBackend(device: TestBackends.deviceQuery)
        // the chunked plan's three kernels: a tensor this small would otherwise be resident, one kernel
        var chunked = LaunchSettings.heuristic(for: backend.device, traversal: .interleaved)
        chunked.residentFeatureBytes = 0
        try backend.overrideLaunchSettings(chunked)
        let shape = TensorShape(n: 4, c: 3, h: 5, w: 5, layout: .nhwc)
        let inputs = TestInputs(TestCase("mid-pass", shape), mode: .spatial)
        let x = try backend.upload(inputs.x), y = try backend.makeBuffer(count: inputs.x.count)
        let mean = try backend.makeBuffer(count: 3), invStd = try backend.makeBuffer(count: 3)
        var running = try backend.upload(inputs.running)
        // Statistics, merge, normalize: the second kernel is refused.
        let fault = OpenCLCall.Fault(function: "clEnqueueNDRangeKernel", status: .outOfResources, passing: 1)
        OpenCLCall.$injectedFault.withValue(fault) {
            #expect(throws: BatchNormError.openCLCallFailed(function: "clEnqueueNDRangeKernel", code: -5,
                                                            name: "CL_OUT_OF_RESOURCES")) {
                try backend.forwardTraining(x: x, z: nil, shape: shape, gamma: nil, beta: nil, running: &running,
                                            options: BatchNormOptions(), y: y, mean: mean, invStd: invStd)
            }
        }
        #expect(running.batchesTracked == 0)
        #expect(try backend.download(running) == inputs.running, "the refused merge would have written the running statistics")
        var arrayRunning = inputs.running, cpuRunning = inputs.running
        let actual = try backend.forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil, running: &arrayRunning,
                                                 options: BatchNormOptions())
        let expected = try CPUBackend().forwardTraining(x: inputs.x, shape: shape, gamma: nil, beta: nil,
                                                        running: &cpuRunning, options: BatchNormOptions())
        expectClose(actual.y, expected.y, tolerance: Tolerance.openCL, "y after the refused enqueue")
    }

    @Test("a tensor larger than the device's largest allocation is refused before anything is enqueued, naming the limit")
    func allocationLimit() throws {
        var device = try Device.select(TestBackends.deviceQuery)
        device.info.maxAllocationBytes = 4096
        let backend = try OpenCLBackend(device: device, isProfilingEnabled: false, forcesWideIndices: false)
        let large = TensorShape(n: 8, c: 4, h: 8, w: 8), count = 2048
        let x = [Float](repeating: 1, count: count)
        let refusal = BatchNormError.allocationTooLarge(bytes: 8192, limit: 4096, device: device.info.name)
        #expect(refusal.description.contains("4096 bytes, CL_DEVICE_MAX_MEM_ALLOC_SIZE"))
        // Any upload would be refused with another error, so the refusal proves that nothing was enqueued first.
        let noWrites = OpenCLCall.Fault(function: "clEnqueueWriteBuffer", status: OpenCLStatus(rawValue: -59))
        var running = RunningStatistics(channels: 4)
        OpenCLCall.$injectedFault.withValue(noWrites) {
            #expect(throws: refusal) {
                try backend.forwardTraining(x: x, shape: large, gamma: nil, beta: nil, running: &running, options: BatchNormOptions())
            }
            #expect(throws: refusal) {
                try backend.forwardInference(x: x, shape: large, gamma: nil, beta: nil, running: running, options: BatchNormOptions())
            }
            #expect(throws: refusal) {
                try backend.backward(dy: x, x: x, shape: large, gamma: nil, statistics: .batch(mean: [0, 0, 0, 0], invStd: [1, 1, 1, 1]),
                                     options: BatchNormOptions())
            }
            #expect(throws: refusal) {
                try backend.backward(dy: x, x: x, shape: large, gamma: nil, statistics: .running(running), options: BatchNormOptions())
            }
            #expect(throws: refusal) { try backend.makeBuffer(count: count) }
        }
        #expect(running == RunningStatistics(channels: 4))
        let small = TensorShape(n: 2, c: 4, h: 8, w: 8)
        let y = try backend.forwardTraining(x: [Float](repeating: 1, count: 512), shape: small, gamma: nil, beta: nil,
                                            running: &running, options: BatchNormOptions()).y
        #expect(y.allSatisfy { $0 == 0 })
    }
}
