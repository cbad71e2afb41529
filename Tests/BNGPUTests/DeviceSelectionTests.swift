import BNCore
@testable import BNGPU
import BNTestSupport
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

    @Test("with no query, a GPU is preferred, else the first device")
    func defaultDevice() throws {
        let devices = try openCLDevices()
        let expected = devices.first { $0.type == .gpu } ?? devices[0]
        #expect(try Device.select(nil).info == expected)
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
