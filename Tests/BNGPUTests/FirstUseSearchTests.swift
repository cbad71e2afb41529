import BNCore
import BNCPU
@testable import BNGPU
import BNTestSupport
import Foundation
import Testing

/// The search a pass runs on its class's first use, where no tuning table has a row for the class:
/// once per class and backend, saved for later backends, never failing the pass, and off with
/// `BN_AUTOTUNE=0`, the backend option, forced settings or a caller's queue. Timing decides which
/// settings win, so the tests check what is searched and saved and that passes stay right.
@Suite("Launch settings searched on first use", .enabled(if: TestBackends.hasOpenCLDevice))
struct FirstUseSearchTests {
    /// Interleaved small: the class each backend here searches.
    static let shape = TensorShape(n: 64, c: 32)
    /// Planar small: the class the table of ``backend(table:autotuning:)`` has a row for.
    static let planarShape = TensorShape(n: 4, c: 8, h: 6, w: 6)
    static let budget = Duration.milliseconds(300)

    /// A user table whose entry for the device has a planar small row only, so that every other class
    /// takes the heuristic (a user entry replaces the built-in one whole), on any device.
    static func table(in folder: TemporaryFolder) throws -> URL {
        let device = try TestBackends.openCL().device
        let url = URL(fileURLWithPath: folder.path("tuning.txt"))
        let text = "device: \(device.name)\ndriver: \(device.driverVersion)\n"
            + "planar small vector=4 group=1 chunk=4096 columns=1 items=4096 resident=0 span=1\n"
        try Data(text.utf8).write(to: url)
        return url
    }

    /// A backend on the suites' device that reads `table` as the user's table.
    static func backend(table: URL, autotuning: Autotuning?, environment: [String: String] = [:]) throws -> OpenCLBackend {
        try OpenCLBackend(device: Device.select(TestBackends.deviceQuery ?? "0"), isProfilingEnabled: false,
                          forcesWideIndices: false, autotuning: autotuning,
                          environment: environment.merging(["BN_TUNING_FILE": table.path]) { old, _ in old })
    }

    /// One training pass on `backend` held to the CPU reference (``expectTrainingMatchesCPU``).
    static func trainAndCheck(_ backend: OpenCLBackend, _ label: String, shape: TensorShape = shape) throws {
        try expectTrainingMatchesCPU(backend, shape: shape, label)
    }

    @Test("BN_AUTOTUNE: 0, off, false or no turn the search off; 1, on, true, yes, empty or unset keep it; anything else is refused")
    func environmentValues() throws {
        for value in ["0", "off", "FALSE", " no "] {
            #expect(try Autotuning.fromEnvironment(["BN_AUTOTUNE": value]) == .off, "\(value)")
        }
        for value in ["1", "on", "True", "yes", "", "  "] {
            #expect(try Autotuning.fromEnvironment(["BN_AUTOTUNE": value]) == .firstUse, "\(value)")
        }
        #expect(try Autotuning.fromEnvironment([:]) == .onFirstUse(budgetPerClass: .seconds(2), savingTo: .userTable))
        #expect {
            try Autotuning.fromEnvironment(["BN_AUTOTUNE": "sometimes"])
        } throws: { error in
            guard case let .invalidOption(name, value, reason)? = error as? BatchNormError else { return false }
            return name == "BN_AUTOTUNE" && value == "sometimes" && reason.contains("give 0")
        }
        let folder = try TemporaryFolder()
        #expect(throws: BatchNormError.self) {
            try Self.backend(table: try Self.table(in: folder), autotuning: nil, environment: ["BN_AUTOTUNE": "2"])
        }
        // The test process starts with BN_AUTOTUNE=0 (Tests/BNTestEnvironment), which backends take by default.
        let environment = ProcessInfo.processInfo.environment
        #expect(environment["BN_AUTOTUNE"] != nil)
        #expect(try OpenCLBackend(device: TestBackends.deviceQuery).autotuning == (try Autotuning.fromEnvironment(environment)))
        #expect(try Self.backend(table: try Self.table(in: folder), autotuning: nil, environment: ["BN_AUTOTUNE": "1"]).autotuning
                == .firstUse)
    }

    @Test("the first pass of a class without a row searches it and saves it; later passes and backends search nothing, and passes stay right")
    func searchesOnceAndSaves() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let backend = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: Self.budget, savingTo: .file(table)))
        #expect(try backend.tuningOrigin(for: Self.shape) == .heuristic)
        #expect(try backend.tuningOrigin(for: Self.planarShape) == .userTable(path: table.path))

        try Self.trainAndCheck(backend, "the searching pass")
        let searches = backend.firstUseSearches
        #expect(searches.map(\.shapeClass) == ["interleaved small"])
        #expect(searches.allSatisfy { $0.tried >= 1 && $0.searchSeconds > 0 })
        #expect(try backend.tuningOrigin(for: Self.shape) == .searched(path: table.path))
        let entry = try #require(try TuningTable.load(from: table)?.entry(deviceName: backend.device.name,
                                                                         driverVersion: backend.device.driverVersion))
        let interleavedSmall = try ShapeClass(shape: Self.shape, mode: .spatial)
        #expect(entry.rows[interleavedSmall] == (try backend.launchSettings(for: Self.shape, options: BatchNormOptions())))
        #expect(entry.rows.count == 2, "the table's planar row is kept beside the one found")

        // The same class again (another shape of it), and a class the table has: no search.
        try Self.trainAndCheck(backend, "the same class again")
        try Self.trainAndCheck(backend, "another shape of the class", shape: TensorShape(n: 16, c: 48))
        try Self.trainAndCheck(backend, "a class with a row", shape: Self.planarShape)
        #expect(backend.firstUseSearches.count == 1)

        // A later backend (a later process reads the same file) takes the row and searches nothing.
        let later = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: Self.budget, savingTo: .file(table)))
        #expect(try later.tuningOrigin(for: Self.shape) == .userTable(path: table.path))
        try Self.trainAndCheck(later, "a later backend")
        #expect(later.firstUseSearches.isEmpty)
    }

    @Test("off, forced settings and a caller's queue search nothing and write nothing")
    func offSearchesNothing() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let before = try Data(contentsOf: table)
        let off = try Self.backend(table: table, autotuning: .off)
        try Self.trainAndCheck(off, "off")
        #expect(off.firstUseSearches.isEmpty)
        #expect(try off.tuningOrigin(for: Self.shape) == .heuristic)
        let fromEnvironment = try Self.backend(table: table, autotuning: nil, environment: ["BN_AUTOTUNE": "0"])
        try Self.trainAndCheck(fromEnvironment, "BN_AUTOTUNE=0")
        #expect(fromEnvironment.firstUseSearches.isEmpty)

        let forced = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: Self.budget, savingTo: .file(table)))
        try forced.overrideLaunchSettings(LaunchSettings(vectorWidth: 4, reductionGroupSize: 1, valuesPerChunk: 4096,
                                                         elementwiseColumns: 1, valuesPerElementwiseItem: 4096,
                                                         residentFeatureBytes: 0))
        try Self.trainAndCheck(forced, "forced settings")
        #expect(forced.firstUseSearches.isEmpty)
        #expect(try Data(contentsOf: table) == before)

        let caller = try RawOpenCL()
        let onCallersQueue = try OpenCLBackend(retaining: caller.context, queue: caller.queue)
        #expect(onCallersQueue.autotuning == .off)
    }

    @Test("eight tasks meeting a new class at once run one search between them, and all get the reference's results")
    func concurrentFirstUse() async throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let backend = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: Self.budget, savingTo: .file(table)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask { try Self.trainAndCheck(backend, "task \(task)") }
            }
            try await group.waitForAll()
        }
        #expect(backend.firstUseSearches.count == 1)
        #expect(try backend.tuningOrigin(for: Self.shape) == .searched(path: table.path))
    }

    @Test("a search whose rows cannot be saved still installs them, and the pass succeeds")
    func unsavedSearch() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let unwritable = URL(fileURLWithPath: folder.path("a folder"))
        try FileManager.default.createDirectory(at: unwritable, withIntermediateDirectories: false)
        let backend = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: Self.budget, savingTo: .file(unwritable)))
        try Self.trainAndCheck(backend, "an unwritable destination")
        #expect(backend.firstUseSearches.count == 1)
        #expect(try backend.tuningOrigin(for: Self.shape) == .searched(path: nil))
        let nowhere = try Self.backend(table: table, autotuning: .onFirstUse(budgetPerClass: .zero, savingTo: .nowhere))
        try Self.trainAndCheck(nowhere, "saved nowhere")
        #expect(nowhere.firstUseSearches.count == 1)
        #expect(try nowhere.tuningOrigin(for: Self.shape) == .searched(path: nil))
    }
}
