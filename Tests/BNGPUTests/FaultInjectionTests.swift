import BNCore
@testable import BNGPU
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
}
