import BNCore
@testable import BNGPU
import BNKernels
import BNTestSupport
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

@Suite("Finding OpenCL devices", .enabled(if: TestBackends.hasOpenCLDevice))
struct DeviceSelectionTests {
    @Test("the list is numbered in order and describes each device")
    func listing() throws {
        let devices = try openCLDevices()
        #expect(devices.map(\.index) == Array(devices.indices))
        for device in devices {
            #expect(!device.name.isEmpty && !device.platform.isEmpty)
            #expect(device.computeUnits >= 1 && device.maxAllocationBytes >= 1 && device.globalMemoryBytes >= device.maxAllocationBytes)
            #expect(device.description.hasPrefix("[\(device.index)] \(device.name)"))
        }
    }

    @Test("an index and a case-insensitive name substring select a device")
    func selection() throws {
        let first = try openCLDevices()[0]
        #expect(try Device.select("0").info == first)
        #expect(try Device.select(String(first.name.prefix(6)).uppercased()).info.index <= first.index)
        #expect(try Device.select(first.platform.lowercased()).info.platform == first.platform)
    }

    @Test("with no query, a GPU is preferred, else the first device; a backend with none named tries them in that order")
    func defaultDevice() throws {
        let devices = try openCLDevices()
        let expected = devices.first { $0.type == .gpu } ?? devices[0]
        #expect(try Device.select(nil).info == expected)
        let order = try Device.preferenceOrder().map(\.info)
        #expect(order.first == expected && Set(order.map(\.index)) == Set(devices.map(\.index)))
    }

    @Test("a query that matches nothing lists the devices there are", arguments: ["no-such-device", "999", "-1"])
    func noMatch(query: String) throws {
        let count = try openCLDevices().count
        #expect {
            try OpenCLBackend(device: query)
        } throws: { error in
            guard case let BatchNormError.noOpenCLDevice(asked, available) = error else { return false }
            return asked == query && available.count == count
        }
    }
}

/// A backend made with no device named skips a device that cannot run the library.
@Suite("Skipping a device that does not work", .enabled(if: TestBackends.hasOpenCLDevice))
struct DeviceSkipTests {
    /// Breaks the first `failures` program builds, then lets every build through.
    final class FailingBuilds: Sendable {
        let failures: Int
        let builds = Atomic<Int>(0)
        init(failures: Int) { self.failures = failures }

        var source: @Sendable (KernelSource) -> String {
            { [self] family in
                let isBroken = builds.add(1, ordering: .relaxed).oldValue < failures
                return KernelLibrary.source(of: family) + (isBroken ? "\nkernel void bn_broken(global float* x) { x[0] = not_declared; }\n" : "")
            }
        }
    }

    static var oclgrindIsListedWithOptimizedBuilds: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ((try? openCLDevices()) ?? []).contains { $0.platform == "Oclgrind" }
            && environment["OCLGRIND_BUILD_OPTIONS"] == nil && environment["BN_OPENCL_DEVICE"] == nil
    }

    private func device() throws -> Device {
        try Device.select(TestBackends.deviceQuery)
    }

    @Test("a device whose programs fail to build is skipped, on the log, and the next one is taken")
    func skipsBrokenDevice() throws {
        let device = try device()
        let handler = InMemoryLogHandler()
        let log = Logger(label: "BatchNorm") { _ in handler }
        let backend = try KernelLibrary.$injectedSource.withValue(FailingBuilds(failures: 1).source) {
            try OpenCLBackend(firstWorkingAmong: [device, device], isProfilingEnabled: false, log: log)
        }
        #expect(backend.skippedDevices.count == 1)
        guard case BatchNormError.kernelBuildFailed? = backend.skippedDevices.first?.error else {
            Issue.record("skipped for \(backend.skippedDevices), not for the failed build")
            return
        }
        #expect(backend.skippedDevices[0].description.hasPrefix("[\(device.info.index)] \(device.info.name) (\(device.info.platform)): kernel program"))
        #expect(handler.entries.count == 1)
        #expect(handler.entries.first?.level == .warning)
        #expect(handler.entries.first.map { "\($0.message)".contains("skipped OpenCL device [\(device.info.index)]") } == true)
        // the backend it took runs the passes
        let y = try backend.forwardInference(x: [1, 2, 3, 4], shape: TensorShape(n: 4, c: 1), gamma: nil, beta: nil,
                                             running: RunningStatistics(channels: 1), options: BatchNormOptions())
        #expect(y.count == 4 && abs(y[3] - 4 / (1 + 1e-5).squareRoot()) < 1e-5)
    }

    @Test("when no device works, the error names each one and what failed")
    func noDeviceWorks() throws {
        let device = try device()
        let handler = InMemoryLogHandler()
        let log = Logger(label: "BatchNorm") { _ in handler }
        #expect {
            try KernelLibrary.$injectedSource.withValue(FailingBuilds(failures: .max).source) {
                try OpenCLBackend(firstWorkingAmong: [device, device], isProfilingEnabled: false, log: log)
            }
        } throws: { error in
            guard case let BatchNormError.noWorkingOpenCLDevice(skipped) = error else { return false }
            return skipped.count == 2 && skipped.allSatisfy { $0.contains(device.info.name) && $0.contains("failed to build") }
                && "\(error)".contains("BN_BACKEND=cpu")
        }
        #expect(handler.entries.count == 2)
    }

    @Test("a device named is never skipped: its failure reaches the call that meets it")
    func namedDeviceIsNotSkipped() throws {
        let query = try #require(TestBackends.deviceQuery)
        try KernelLibrary.$injectedSource.withValue(FailingBuilds(failures: .max).source) {
            let backend = try OpenCLBackend(device: query)
            #expect(backend.skippedDevices.isEmpty)
            #expect {
                try backend.forwardInference(x: [1, 2], shape: TensorShape(n: 2, c: 1), gamma: nil, beta: nil,
                                             running: RunningStatistics(channels: 1), options: BatchNormOptions())
            } throws: { error in
                if case BatchNormError.kernelBuildFailed = error { return true }
                return false
            }
        }
    }

    @Test("where Oclgrind is listed and its builds are left optimized, the suites' device is another",
          .enabled(if: DeviceSkipTests.oclgrindIsListedWithOptimizedBuilds))
    func oclgrindIsSkipped() throws {
        let backend = try OpenCLBackend()
        #expect(backend.device.platform != "Oclgrind")
        #expect(backend.skippedDevices.contains { $0.device.platform == "Oclgrind" })
    }
}
