import BNCore
import Testing

@Suite("Error messages say what happened and what to do")
struct BatchNormErrorTests {
    @Test("a length mismatch names the argument, both counts and the shape")
    func lengthMismatch() {
        let error = BatchNormError.lengthMismatch(argument: "x", expected: 131072, actual: 524288,
                                                  shape: TensorShape(n: 32, c: 64, h: 8, w: 8))
        #expect(error.description == "x has 524288 elements but shape [32, 64, 8, 8] NCHW needs 131072")
    }

    @Test("too few values per feature reads like PyTorch's and suggests a way out")
    func tooFewValues() {
        let error = BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: TensorShape(n: 1, c: 4), mode: .spatial)
        #expect(error.description.contains("expected more than 1 value per feature when training, got 1"))
        #expect(error.description.contains("forwardInference"))
    }

    @Test("no OpenCL names the packages to install")
    func noOpenCL() {
        for error in [BatchNormError.noOpenCLPlatform, .noOpenCLDevice(query: nil, available: [])] {
            #expect(error.description.contains("pocl-opencl-icd"))
            #expect(error.description.contains("ocl-icd-opencl-dev"))
        }
    }

    @Test("an unmatched device query lists what is there, with indices")
    func unmatchedDevice() {
        let error = BatchNormError.noOpenCLDevice(query: "H100", available: ["pthread (PoCL)", "other"])
        #expect(error.description == "no OpenCL device matches \"H100\"; available: [0] pthread (PoCL), [1] other")
    }

    @Test("no working device: each device skipped and why, and what to do instead")
    func noWorkingDevice() {
        let error = BatchNormError.noWorkingOpenCLDevice(skipped: ["[0] Sim (X): clCreateKernel failed", "[1] CPU (Y): build failed"])
        #expect(error.description == "no OpenCL device could run the library's kernels: [0] Sim (X): clCreateKernel failed; "
                + "[1] CPU (Y): build failed; name a device (BN_OPENCL_DEVICE or --device) to see its whole error, "
                + "or use the CPU reference (BN_BACKEND=cpu)")
    }

    @Test("a failed OpenCL call names the function, the code and its name")
    func openCLCall() {
        let error = BatchNormError.openCLCallFailed(function: "clEnqueueNDRangeKernel", code: -5, name: "CL_OUT_OF_RESOURCES")
        #expect(error.description == "clEnqueueNDRangeKernel failed with CL_OUT_OF_RESOURCES (-5)")
    }

    @Test("the remaining cases carry their context", arguments: [
        (BatchNormError.kernelBuildFailed(program: "bn_forward", device: "gpu", log: "line 3: error"), ["bn_forward", "gpu", "line 3: error"]),
        (.invalidOption(name: "epsilon", value: "0.0", reason: "ε must be positive and finite"), ["epsilon = 0.0", "positive"]),
        (.invalidEnvironment(variable: "BN_BACKEND", value: "tpu", expected: "cpu or opencl"), ["BN_BACKEND", "tpu", "cpu or opencl"]),
        (.foreignBuffer(argument: "gamma"), ["gamma", "another backend"]),
        (.invalidBufferCount(0), ["at least 1 element", "0"]),
        (.allocationTooLarge(bytes: 2048, limit: 1024, device: "pocl"), ["2048", "1024", "CL_DEVICE_MAX_MEM_ALLOC_SIZE"]),
        (.invalidShape(TensorShape(n: 0, c: 1), reason: "dimension N is 0"), ["[0, 1] NC", "dimension N is 0"]),
        (.invalidFolding(argument: "bias", reason: "has 3 elements but the layer has 4 output channels"),
         ["cannot fold batch norm into the preceding layer", "bias has 3 elements", "4 output channels"]),
    ])
    func context(error: BatchNormError, fragments: [String]) {
        for fragment in fragments {
            #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
        }
    }
}
