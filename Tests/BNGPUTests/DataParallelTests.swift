import BNCore
import BNSynchronized
@testable import BNGPU
import BNTestSupport
import COpenCL
import Testing

/// Data parallelism inside one process, as an engine sets it up: one context, one queue per
/// sub-device (or several queues on one device), one backend per queue, and a batch split over them
/// with ``SynchronizedBatchNorm`` and an ``InProcessCommunicator`` group.
@Suite("Data-parallel batch norm over several queues", .enabled(if: TestBackends.hasOpenCLDevice))
struct DataParallelTests {
    static let cases = [
        TestCase("images", TensorShape(n: 5, c: 6, h: 9, w: 11)),
        TestCase("features", TensorShape(n: 37, c: 24)),
    ]

    @Test("queues on sub-devices, or on one device, equal one backend on the whole batch", arguments: cases,
          [Placement.subDevices, .sameDevice])
    func membersEqualOneBackend(testCase: TestCase, placement: Placement) async throws {
        guard let group = try placement.makeGroup(size: 2) else {
            // a device that cannot be split in two (the same-device placement still runs); one that
            // says it can must
            var most: cl_uint = 0
            let device = try Device.select(TestBackends.deviceQuery).id
            clGetDeviceInfo(device, cl_device_info(CL_DEVICE_PARTITION_MAX_SUB_DEVICES), 4, &most, nil)
            #expect(most < 2, "the device offers \(most) sub-devices but refused to split in two")
            return
        }
        let options = BatchNormOptions(momentum: 0.1)
        let inputs = TestInputs(testCase, mode: .spatial)
        let communicators = try InProcessCommunicator.group(size: group.queues.count)
        let parts = try await withThrowingTaskGroup(of: (Int, MemberStep).self) { tasks in
            for (rank, queue) in group.queues.enumerated() {
                let backend = try OpenCLBackend(retaining: group.context, queue: queue)
                let communicator = communicators[rank]
                tasks.addTask {
                    let rows = testCase.shape.rows(ofPart: rank, of: communicators.count)
                    return (rank, try await MemberStep.run(backend: backend, inputs: inputs, shape: testCase.shape,
                                                           rows: rows, communicator: communicator, options: options))
                }
            }
            return try await tasks.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        let whole = try EngineRun.synchronousReference(testCase)
        let y = (0..<parts.count).flatMap { parts[$0]!.y }, dx = (0..<parts.count).flatMap { parts[$0]!.dx }
        expectClose(y, whole["y"]!, tolerance: Tolerance.openCL, "y of \(testCase), \(placement)")
        expectClose(dx, whole["dx"]!, tolerance: Tolerance.openCL, "dx of \(testCase), \(placement)")
        for name in ["mean", "invStd", "dGamma", "dBeta", "running.mean", "running.variance"] {
            #expect(parts[0]!.perFeature[name] == parts[1]!.perFeature[name], "members differ in \(name)")
            expectClose(parts[0]!.perFeature[name]!, whole[name]!, tolerance: Tolerance.openCL,
                        "\(name) of \(testCase), \(placement)")
        }
    }

    enum Placement: String, CustomTestStringConvertible {
        case subDevices = "sub-devices"
        case sameDevice = "one device"
        var testDescription: String { rawValue }

        /// A context and `size` queues: on `size` sub-devices made by partitioning the device equally,
        /// or all on the device; nil when the device cannot be partitioned so.
        func makeGroup(size: Int) throws -> QueueGroup? {
            let device = try Device.select(TestBackends.deviceQuery).id
            switch self {
            case .sameDevice:
                return try QueueGroup(devices: Array(repeating: device, count: size), subDevices: [])
            case .subDevices:
                let unitsEach = cl_device_partition_property(
                    (try Device.select(TestBackends.deviceQuery).info.computeUnits) / size)
                guard unitsEach >= 1 else { return nil }
                let properties: [cl_device_partition_property] = [
                    cl_device_partition_property(CL_DEVICE_PARTITION_EQUALLY), unitsEach, 0,
                ]
                var subDevices = [cl_device_id?](repeating: nil, count: size)
                var made: cl_uint = 0
                guard clCreateSubDevices(device, properties, cl_uint(size), &subDevices, &made) == CL_SUCCESS,
                      made == cl_uint(size) else { return nil }
                let ids = subDevices.compactMap { $0 }
                return try QueueGroup(devices: ids, subDevices: ids)
            }
        }
    }
}

/// A context over some devices and one in-order queue on each, made through the C API and released
/// in `deinit`, sub-devices last.
final class QueueGroup: @unchecked Sendable {
    let context: cl_context
    let queues: [cl_command_queue]
    private let subDevices: [cl_device_id]

    init(devices: [cl_device_id], subDevices: [cl_device_id]) throws {
        var status: cl_int = CL_SUCCESS
        let unique = devices.reduce(into: [cl_device_id]()) { if !$0.contains($1) { $0.append($1) } }
        let list: [cl_device_id?] = unique
        let context = clCreateContext(nil, cl_uint(list.count), list, nil, nil, &status)
        try RawOpenCL.check("clCreateContext", status)
        var queues: [cl_command_queue] = []
        for device in devices {
            let queue = clCreateCommandQueue(context, device, 0, &status)
            try RawOpenCL.check("clCreateCommandQueue", status)
            queues.append(queue!)
        }
        self.context = context!
        self.queues = queues
        self.subDevices = subDevices
    }

    deinit {
        for queue in queues { clReleaseCommandQueue(queue) }
        clReleaseContext(context)
        for device in subDevices { clReleaseDevice(device) }
    }
}
