import BNCore
import BNCPU
@testable import BNGPU
import BNTestSupport
import Foundation
import Testing

/// The search an engine runs ahead of time: it tunes the classes no table has a row for, installs
/// the rows in the backend and merges them into a table file, and refuses bad shapes before
/// anything happens. Timing decides which settings win, so the tests check what is searched, kept
/// and saved, and that passes stay right, never which settings a search picks.
@Suite("autotune", .enabled(if: TestBackends.hasOpenCLDevice))
struct AutotuneTests {
    /// An interleaved and a planar class, small enough for a short budget.
    static let shapes = [TensorShape(n: 64, c: 32), TensorShape(n: 4, c: 8, h: 6, w: 6)]

    static func backend() throws -> OpenCLBackend { try OpenCLBackend(device: TestBackends.deviceQuery) }

    static func shapeClass(_ shape: TensorShape) throws -> ShapeClass { try ShapeClass(shape: shape, mode: .spatial) }

    @Test("the classes without a row are searched, installed and saved; known classes and a second search search nothing")
    func searchesSavesAndReuses() throws {
        let backend = try Self.backend(), folder = try TemporaryFolder()
        let file = URL(fileURLWithPath: folder.path("tuning.txt"))
        let before = try Self.shapes.map { try backend.tuningOrigin(for: $0) }
        var lines: [String] = []
        let searched = try backend.autotune(for: Self.shapes + [TensorShape(n: 32, c: 16)], budgetPerClass: .milliseconds(300),
                                            savingTo: .file(file)) { lines.append($0) }
        // 32x16 is the first shape's class again: one search per class, for the classes a table lacks
        let unknown = zip(Self.shapes, before).filter { $0.1 == .heuristic }.map(\.0)
        #expect(searched.map(\.shapeClass) == (try unknown.map { try Self.shapeClass($0).description }))
        #expect(lines == searched.map(\.description))
        for record in searched {
            #expect(record.tried >= 1 && record.seconds > 0 && record.startSeconds > 0 && record.searchSeconds > 0)
        }
        for shape in unknown {
            #expect(try backend.tuningOrigin(for: shape) == .searched(path: file.path))
        }
        // What the file holds for the device is what the backend now runs with.
        if !unknown.isEmpty {
            let entry = try #require(try TuningTable.load(from: file)?.entry(deviceName: backend.device.name,
                                                                            driverVersion: backend.device.driverVersion))
            for shape in unknown {
                #expect(entry.rows[try Self.shapeClass(shape)] == (try backend.launchSettings(for: shape, options: BatchNormOptions())))
            }
            #expect(entry.rows.count == (backend.runner.withLock { $0.tuning.rows.count }), "every row the backend runs with")
        }
        #expect(try backend.autotune(for: Self.shapes, budgetPerClass: .milliseconds(300), savingTo: .file(file)).isEmpty)

        // Passes after the search agree with the CPU reference as before it.
        for shape in Self.shapes {
            try expectTrainingMatchesCPU(backend, shape: shape, "after autotune")
        }
    }

    @Test("a zero budget keeps the starting settings and saves them, with the backend's table rows, beside the file's other rows and devices")
    func zeroBudgetMerges() throws {
        let backend = try Self.backend(), folder = try TemporaryFolder()
        let shape = Self.shapes[0]
        guard try backend.tuningOrigin(for: shape) == .heuristic else { return }  // a table has the class: nothing to search
        let file = URL(fileURLWithPath: folder.path("tuning.txt"))
        let kept = LaunchSettings(vectorWidth: 4, reductionGroupSize: 1, valuesPerChunk: 4096, elementwiseColumns: 1,
                                  valuesPerElementwiseItem: 4096, residentFeatureBytes: 0)
        let huge = ShapeClass(traversal: .interleaved, size: .huge), planarHuge = ShapeClass(traversal: .planar, size: .huge)
        let other = TuningTable.Entry(deviceName: "another device", driverVersion: "1.0", rows: [huge: kept])
        let mine = TuningTable.Entry(deviceName: backend.device.name, driverVersion: backend.device.driverVersion, rows: [huge: kept])
        try TuningTable.save(TuningTable(entries: [other, mine]), to: file)
        // a row the backend took from a table (the built-in one, say), which the saved entry must carry
        backend.runner.withLock { $0.tuning.rows[planarHuge] = kept }
        let start = try backend.launchSettings(for: shape, options: BatchNormOptions())

        let searched = try backend.autotune(for: [shape], budgetPerClass: .zero, savingTo: .file(file))
        #expect(searched.count == 1 && searched.first?.tried == 1 && searched.first?.settings == start.description)
        let table = try #require(try TuningTable.load(from: file))
        #expect(table.entry(deviceName: "another device", driverVersion: "1.0") == other)
        let entry = try #require(table.entry(deviceName: backend.device.name, driverVersion: backend.device.driverVersion))
        #expect(entry.rows == [huge: kept, planarHuge: kept, try Self.shapeClass(shape): start])
    }

    @Test("a shape with one value per feature is refused before anything is searched or saved; nowhere saves nothing")
    func refusalsAndNowhere() throws {
        let backend = try Self.backend(), folder = try TemporaryFolder()
        let file = URL(fileURLWithPath: folder.path("tuning.txt"))
        #expect(throws: BatchNormError.tooFewValuesPerFeature(valuesPerFeature: 1, shape: TensorShape(n: 1, c: 4), mode: .spatial)) {
            try backend.autotune(for: [Self.shapes[1], TensorShape(n: 1, c: 4)], budgetPerClass: .zero, savingTo: .file(file))
        }
        #expect(!folder.contains("tuning.txt"))
        #expect(try backend.tuningOrigin(for: Self.shapes[1]) != .searched(path: file.path))

        let shape = Self.shapes[1]
        guard try backend.tuningOrigin(for: shape) == .heuristic else { return }
        #expect(try backend.autotune(for: [shape], budgetPerClass: .zero, savingTo: .nowhere).count == 1)
        #expect(try backend.tuningOrigin(for: shape) == .searched(path: nil))
        #expect(TuningOrigin.searched(path: nil).label == "searched")
        #expect(TuningOrigin.searched(path: "/t").description == "searched in this process, saved to /t")
    }
}
