import ArgumentParser
import BatchNorm

extension BNGPUBench {
    /// `bn-gpu-bench devices`: the OpenCL devices, numbered as `--device` and `BN_OPENCL_DEVICE` count them.
    struct Devices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the OpenCL devices, one per line, with the index --device takes.")

        mutating func run() throws {
            do {
                let devices = try openCLDevices()
                guard !devices.isEmpty else {
                    throw BatchNormError.noOpenCLDevice(query: nil, available: [])
                }
                for device in devices {
                    print(device.description)
                }
            } catch let error as BatchNormError {
                throw BNGPUBench.failure(error, deviceOption: nil)
            }
        }
    }
}
