@testable import BatchNorm
import BNTestSupport
import Testing

@Suite("Choosing a backend at run time")
struct BackendSelectionTests {
    @Test("an explicit CPU choice is the CPU reference, whatever the environment says")
    func explicitCPU() throws {
        #expect(try makeBackend(.cpu).base is CPUBackend)
        #expect(try makeBackend(.cpu, environment: BackendEnvironment(backend: "opencl", device: "no-such-device")).base is CPUBackend)
    }

    @Test("BN_BACKEND=cpu turns .auto into the CPU reference, in any case", arguments: ["cpu", "CPU", "Cpu"])
    func environmentCPU(value: String) throws {
        #expect(try makeBackend(.auto, environment: BackendEnvironment(backend: value)).base is CPUBackend)
    }

    @Test("an unknown BN_BACKEND is an error that lists the choices")
    func unknownBackend() {
        #expect(throws: BatchNormError.invalidEnvironment(variable: "BN_BACKEND", value: "tpu", expected: "cpu or opencl")) {
            try makeBackend(.auto, environment: BackendEnvironment(backend: "tpu"))
        }
    }

    @Test(".auto picks an OpenCL device where there is one", .enabled(if: TestBackends.hasOpenCLDevice))
    func autoOpenCL() throws {
        let backend = try makeBackend(.auto, environment: BackendEnvironment())
        #expect(backend.base is OpenCLBackend)
        #expect(backend.name.hasPrefix("opencl: "))
    }

    @Test("BN_BACKEND=opencl and BN_OPENCL_DEVICE choose a device", .enabled(if: TestBackends.hasOpenCLDevice))
    func environmentDevice() throws {
        let backend = try makeBackend(.auto, environment: BackendEnvironment(backend: "opencl", device: "0"))
        #expect((backend.base as? OpenCLBackend)?.device.index == 0)
        let named = try makeBackend(.openCL(), environment: BackendEnvironment(device: "0"))
        #expect((named.base as? OpenCLBackend)?.device.index == 0)
    }

    @Test("a device that is asked for and missing is an error, not a silent fallback",
          .enabled(if: TestBackends.hasOpenCLDevice))
    func missingDevice() {
        for (choice, environment) in [(BackendChoice.openCL(device: "no-such-device"), BackendEnvironment()),
                                      (.auto, BackendEnvironment(device: "no-such-device")),
                                      (.auto, BackendEnvironment(backend: "opencl", device: "no-such-device"))] {
            #expect {
                try makeBackend(choice, environment: environment)
            } throws: { error in
                guard case let BatchNormError.noOpenCLDevice(query, _) = error else { return false }
                return query == "no-such-device"
            }
        }
    }

    @Test("the CI environment has the OpenCL device it asks for", .enabled(if: TestBackends.requiresOpenCL))
    func requiredOpenCL() throws {
        #expect(TestBackends.hasOpenCLDevice, "BN_REQUIRE_OPENCL=1 but no OpenCL device was found; install pocl-opencl-icd")
        #expect(try openCLDevices().isEmpty == false)
    }
}

@Suite("Backend selection by shape", .enabled(if: TestBackends.hasOpenCLDevice))
struct ShapeAwareSelectionTests {
    @Test(".auto takes the CPU reference for small tensors when the OpenCL device is a CPU, and OpenCL otherwise")
    func smallTensors() throws {
        let small = TensorShape(n: 60, c: 100), large = TensorShape(n: 32, c: 64, h: 32, w: 32)
        let isCPUDevice = try TestBackends.openCL().device.type == .cpu
        #expect(try (makeBackend(.auto, for: small, environment: BackendEnvironment()).base is CPUBackend) == isCPUDevice)
        #expect(try makeBackend(.auto, for: large, environment: BackendEnvironment()).base is OpenCLBackend)
        let edge = TensorShape(n: 1, c: SmallTensorRule.cpuBelowElements)
        #expect(try makeBackend(.auto, for: edge, environment: BackendEnvironment()).base is OpenCLBackend)
    }

    @Test("an explicit choice or environment is kept whatever the shape")
    func explicitChoices() throws {
        let small = TensorShape(n: 60, c: 100)
        #expect(try makeBackend(.openCL(), for: small, environment: BackendEnvironment()).base is OpenCLBackend)
        #expect(try makeBackend(.auto, for: small, environment: BackendEnvironment(backend: "opencl")).base is OpenCLBackend)
        #expect(try makeBackend(.auto, for: small, environment: BackendEnvironment(device: "0")).base is OpenCLBackend)
        #expect(try makeBackend(.cpu, for: TensorShape(n: 4096, c: 1024), environment: BackendEnvironment()).base is CPUBackend)
    }
}
