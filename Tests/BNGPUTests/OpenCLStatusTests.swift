@testable import BNGPU
import Testing

@Suite("OpenCL status codes")
struct OpenCLStatusTests {
    /// Every code of the OpenCL 3.0 headers: 0, -1 … -19, -30 … -72, and the ICD loader's -1001.
    static let standardCodes: [Int32] = [0] + Array(-19...(-1)) + Array(-72...(-30)) + [-1001]

    @Test("every standard code has its symbolic name", arguments: standardCodes)
    func named(code: Int32) {
        let name = OpenCLStatus(rawValue: code).name
        #expect(name.hasPrefix("CL_"), "code \(code) is \(name)")
    }

    @Test("names match the specification")
    func specificNames() {
        #expect(OpenCLStatus.outOfResources.name == "CL_OUT_OF_RESOURCES")
        #expect(OpenCLStatus(rawValue: -61).name == "CL_INVALID_BUFFER_SIZE")
        #expect(OpenCLStatus(rawValue: -72).name == "CL_MAX_SIZE_RESTRICTION_EXCEEDED")
        #expect(OpenCLStatus.platformNotFound.name == "CL_PLATFORM_NOT_FOUND_KHR")
        #expect(OpenCLStatus.buildProgramFailure.rawValue == -11)
    }

    @Test("an unknown code says so and keeps the number")
    func unknown() {
        #expect(OpenCLStatus(rawValue: -9999).name == "unknown OpenCL status -9999")
    }

    @Test("the loader's 'no platform' becomes an error that names the packages")
    func noPlatform() {
        let mapped = Platform.mapNoPlatform(OpenCLCall.failure("clGetPlatformIDs", .platformNotFound))
        #expect(mapped == .noOpenCLPlatform)
        let other = OpenCLCall.failure("clGetPlatformIDs", .outOfResources)
        #expect(Platform.mapNoPlatform(other) == other)
    }
}
