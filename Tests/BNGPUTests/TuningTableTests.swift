import BNCore
@testable import BNGPU
import Foundation
import Testing

/// The tuning table is host logic and text: checked here without a device.
@Suite("Tuning table")
struct TuningTableTests {
    static let device = "pthread-skylake-avx512-Intel(R) Xeon(R) Processor"
    static let settings = LaunchSettings(vectorWidth: 16, reductionGroupSize: 1, valuesPerChunk: 16384, elementwiseColumns: 1,
                                         valuesPerElementwiseItem: 16384, residentFeatureBytes: 1_048_576)
    static let other = LaunchSettings(vectorWidth: 4, reductionGroupSize: 256, valuesPerChunk: 4096, elementwiseColumns: 32,
                                      valuesPerElementwiseItem: 4, residentFeatureBytes: 0)

    /// Two devices, the first with three rows, the second with every class, values all different.
    static let table = TuningTable(entries: [
        .init(deviceName: device, driverVersion: "6.0+debian", rows: [
            ShapeClass(traversal: .planar, size: .small): settings,
            ShapeClass(traversal: .planar, size: .medium): settings,
            ShapeClass(traversal: .interleaved, size: .huge): other,
        ]),
        .init(deviceName: "NVIDIA H100 80GB HBM3", driverVersion: "550.54.15", rows: Dictionary(uniqueKeysWithValues:
            ShapeClass.allCases.enumerated().map { index, shapeClass in
                (shapeClass, LaunchSettings(vectorWidth: 1 << (index % 5), reductionGroupSize: 1 << index, valuesPerChunk: 1000 + index,
                                            elementwiseColumns: 2 << index, valuesPerElementwiseItem: 7 + index, residentFeatureBytes: index))
            })),
    ])

    // MARK: Lookup and merging

    @Test("lookup needs the exact device name and driver version, and a row for the class")
    func lookup() {
        let planarSmall = ShapeClass(traversal: .planar, size: .small)
        let interleavedHuge = ShapeClass(traversal: .interleaved, size: .huge)
        #expect(Self.table.settings(deviceName: Self.device, driverVersion: "6.0+debian", shapeClass: planarSmall) == Self.settings)
        #expect(Self.table.settings(deviceName: Self.device, driverVersion: "6.0+debian", shapeClass: interleavedHuge) == Self.other)
        #expect(Self.table.settings(deviceName: Self.device, driverVersion: "6.0+debian",
                                    shapeClass: ShapeClass(traversal: .planar, size: .huge)) == nil)
        #expect(Self.table.settings(deviceName: Self.device, driverVersion: "6.1+debian", shapeClass: planarSmall) == nil)
        #expect(Self.table.settings(deviceName: Self.device.lowercased(), driverVersion: "6.0+debian", shapeClass: planarSmall) == nil)
        #expect(Self.table.settings(deviceName: "NVIDIA H100 80GB HBM3", driverVersion: "550.54.15",
                                    shapeClass: interleavedHuge)?.reductionGroupSize == 1 << 7)
        #expect(TuningTable().settings(deviceName: Self.device, driverVersion: "6.0+debian", shapeClass: planarSmall) == nil)
    }

    @Test("merging keeps the receiver's entry whole for the same device and driver, and adds the other's others")
    func merging() {
        let planarSmall = ShapeClass(traversal: .planar, size: .small)
        let planarHuge = ShapeClass(traversal: .planar, size: .huge)
        let mine = TuningTable(entries: [.init(deviceName: Self.device, driverVersion: "6.0+debian", rows: [planarSmall: Self.other])])
        let merged = mine.merging(Self.table)
        #expect(merged.entries.map(\.deviceName) == [Self.device, "NVIDIA H100 80GB HBM3"])
        #expect(merged.settings(deviceName: Self.device, driverVersion: "6.0+debian", shapeClass: planarSmall) == Self.other)
        // Not row by row: the other table's rows for this device do not fill the receiver's gaps.
        #expect(merged.settings(deviceName: Self.device, driverVersion: "6.0+debian",
                                shapeClass: ShapeClass(traversal: .planar, size: .medium)) == nil)
        #expect(merged.entry(deviceName: "NVIDIA H100 80GB HBM3", driverVersion: "550.54.15") == Self.table.entries[1])
        // The other way round, the table's own entry wins.
        let reversed = Self.table.merging(mine)
        #expect(reversed == Self.table)
        // Another driver version is another entry.
        let newDriver = TuningTable(entries: [.init(deviceName: Self.device, driverVersion: "7.0", rows: [planarHuge: Self.other])])
        #expect(newDriver.merging(Self.table).entries.count == 3)
    }

    // MARK: Text

    @Test("the text form reads as documented, with settings lined up")
    func format() {
        let single = TuningTable(entries: [Self.table.entries[0]])
        #expect(single.text == """
            # BatchNorm tuning table (written by `bn-gpu-bench tune`); one block per device.
            device: pthread-skylake-avx512-Intel(R) Xeon(R) Processor
            driver: 6.0+debian
            planar small     vector=16 group=1 chunk=16384 columns=1 items=16384 resident=1048576 span=1
            planar medium    vector=16 group=1 chunk=16384 columns=1 items=16384 resident=1048576 span=1
            interleaved huge vector=4 group=256 chunk=4096 columns=32 items=4 resident=0 span=1

            """)
    }

    @Test("text reads back to an equal table")
    func roundTrip() throws {
        for table in [Self.table, TuningTable(), TuningTable(entries: [.init(deviceName: "empty", driverVersion: "1")])] {
            #expect(try TuningTable(text: table.text, source: "test") == table)
        }
        #expect(Self.table.text.split(separator: "\n").count == 1 + 2 + 3 + 2 + ShapeClass.allCases.count,
                "the blank line between blocks is not counted")
    }

    @Test("blank lines, comments, indentation, CRLF and keys in any order are accepted")
    func lenientLayout() throws {
        let text = "\r\n# first\r\n  device:   gpu one  \r\n# between\r\n\r\ndriver: 2.1 (beta)\r\n"
            + "\t planar   small resident=0 items=4 columns=32 chunk=4096 group=256 vector=4  \r\n# last"
        let table = try TuningTable(text: text, source: "test")
        #expect(table == TuningTable(entries: [.init(deviceName: "gpu one", driverVersion: "2.1 (beta)",
                                                     rows: [ShapeClass(traversal: .planar, size: .small): Self.other])]))
    }

    /// A valid block whose fourth line (the first row) each case replaces.
    static func block(row: String) -> String {
        "# comment\ndevice: gpu\ndriver: 1.0\n\(row)\n"
    }

    static let validRow = "planar small vector=16 group=1 chunk=16384 columns=1 items=16384 resident=1048576"

    /// A malformed text, the line it is refused at and a fragment of the problem.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var line: Int
        var fragment: String
        var testDescription: String { label }

        init(_ label: String, _ text: String, _ line: Int, _ fragment: String) {
            (self.label, self.text, self.line, self.fragment) = (label, text, line, fragment)
        }
    }

    static let refusals: [Refusal] = [
        .init("unknown key", block(row: "planar small vectr=16 group=1 chunk=16384 columns=1 items=16384 resident=0"), 4,
         "unknown key \"vectr\"; expected vector, group, chunk, columns, items, resident"),
        .init("missing key", block(row: "planar small vector=16 group=1 chunk=16384 items=16384"), 4, "missing columns, resident"),
        .init("duplicate key", block(row: "planar small vector=16 group=1 group=2 chunk=1 columns=1 items=1 resident=0"), 4,
         "key group appears twice"),
        .init("bad vector width", block(row: "planar small vector=3 group=1 chunk=1 columns=1 items=1 resident=0"), 4,
         "vector=3 is not one of 1, 2, 4, 8, 16"),
        .init("vector width 32", block(row: "planar small vector=32 group=1 chunk=1 columns=1 items=1 resident=0"), 4, "vector=32"),
        .init("group not a power of two", block(row: "planar small vector=4 group=48 chunk=1 columns=1 items=1 resident=0"), 4,
         "group=48 is not a power of two"),
        .init("group zero", block(row: "planar small vector=4 group=0 chunk=1 columns=1 items=1 resident=0"), 4, "group=0"),
        .init("columns not a power of two", block(row: "planar small vector=4 group=1 chunk=1 columns=3 items=1 resident=0"), 4,
         "columns=3 is not a power of two"),
        .init("chunk zero", block(row: "planar small vector=4 group=1 chunk=0 columns=1 items=1 resident=0"), 4, "chunk=0 is less than 1"),
        .init("items zero", block(row: "planar small vector=4 group=1 chunk=1 columns=1 items=0 resident=0"), 4, "items=0 is less than 1"),
        .init("negative resident", block(row: "planar small vector=4 group=1 chunk=1 columns=1 items=1 resident=-1"), 4,
         "resident=-1 is negative"),
        // items × columns used to overflow when a plan was made, trapping every backend that read the table.
        .init("items beyond 2^40", block(row: "planar small vector=4 group=1 chunk=1 columns=2 items=4611686018427387904 resident=0"), 4,
         "items=4611686018427387904 is more than 2^40 (1099511627776)"),
        .init("chunk beyond 2^40", block(row: "planar small vector=4 group=1 chunk=1099511627777 columns=1 items=1 resident=0"), 4,
         "chunk=1099511627777 is more than 2^40"),
        .init("resident beyond 2^40", block(row: "planar small vector=4 group=1 chunk=1 columns=1 items=1 resident=9223372036854775807"), 4,
         "resident=9223372036854775807 is more than 2^40"),
        .init("garbage number", block(row: "planar small vector=16 group=1 chunk=16k columns=1 items=1 resident=0"), 4,
         "chunk=16k is not a whole number"),
        .init("field without =", block(row: "planar small vector 16 group=1 chunk=1 columns=1 items=1 resident=0"), 4,
         "expected key=value, got \"vector\""),
        .init("unknown traversal", block(row: "plnar small vector=16 group=1 chunk=1 columns=1 items=1 resident=0"), 4,
         "unknown traversal \"plnar\""),
        .init("unknown size", block(row: "planar tiny vector=16 group=1 chunk=1 columns=1 items=1 resident=0"), 4,
         "unknown size \"tiny\" after planar; expected small, medium, large, huge"),
        .init("row before device", "\n# header\n\(validRow)\ndevice: gpu\ndriver: 1\n", 3, "a row before any `device:` line"),
        .init("device without driver, then a row", "device: gpu\n\n\(validRow)\n", 3, "expected `driver: <version>` after `device:` on line 1"),
        .init("device without driver at the end", "\(block(row: validRow))device: second\n# no driver\n", 5,
         "`device:` is not followed by a `driver: <version>` line"),
        .init("driver without device", "\(block(row: validRow))driver: 2\n", 5, "`driver:` without a `device:` line"),
        .init("empty device name", "device:\ndriver: 1\n", 1, "`device:` needs the device's name"),
        .init("empty driver version", "device: gpu\ndriver:  \n", 2, "`driver:` needs the device's driver version"),
        .init("duplicate class", "\(block(row: validRow))\n\("planar small vector=8 group=1 chunk=1 columns=1 items=1 resident=0")\n", 6,
         "planar small already has a row at line 4 in this block"),
        .init("duplicate block", "\(block(row: validRow))\ndevice: gpu\ndriver: 1.0\n", 6,
         "device \"gpu\" with driver 1.0 already has a block at line 2"),
        .init("span not a vector width", block(row: validRow + " span=3"), 4, "span=3 is not one of 1, 2, 4, 8, 16"),
    ]

    @Test("span, the knob added last, may be left out and then takes 1; given, it is read")
    func optionalSpan() throws {
        let without = try TuningTable(text: Self.block(row: Self.validRow), source: "test")
        let with = try TuningTable(text: Self.block(row: Self.validRow + " span=4"), source: "test")
        let planarSmall = ShapeClass(traversal: .planar, size: .small)
        #expect(without.entries.first?.rows[planarSmall]?.interleavedSpan == 1)
        #expect(with.entries.first?.rows[planarSmall]?.interleavedSpan == 4)
    }

    @Test("every malformed line is refused with its line number and what is wrong", arguments: refusals)
    func refusal(_ refusal: Refusal) {
        let (label, line, fragment) = (refusal.label, refusal.line, refusal.fragment)
        do {
            _ = try TuningTable(text: refusal.text, source: "/home/u/.cache/BatchNorm/tuning.txt")
            Issue.record("\(label): accepted")
        } catch let BatchNormError.invalidTuningTable(source, refusedLine, problem) {
            #expect(source == "/home/u/.cache/BatchNorm/tuning.txt", "\(label)")
            #expect(refusedLine == line, "\(label): \(problem)")
            #expect(problem.contains(fragment), "\(label): \(problem)")
        } catch {
            Issue.record("\(label): unexpected \(error)")
        }
    }

    @Test("the same class in two blocks, and the same device with two drivers, are fine")
    func sameClassInTwoBlocks() throws {
        let text = "device: gpu\ndriver: 1\n\(Self.validRow)\ndevice: gpu\ndriver: 2\n\(Self.validRow)\n"
        let table = try TuningTable(text: text, source: "test")
        #expect(table.entries.map(\.driverVersion) == ["1", "2"])
        #expect(table.entries.allSatisfy { $0.rows == [ShapeClass(traversal: .planar, size: .small): Self.settings] })
    }

    @Test("the error says where, what, and how to recover")
    func errorDescription() {
        let error = BatchNormError.invalidTuningTable(
            source: "/home/u/.cache/BatchNorm/tuning.txt", line: 4,
            problem: "unknown key \"vectr\"; expected vector, group, chunk, columns, items, resident")
        #expect(error.description == "tuning table /home/u/.cache/BatchNorm/tuning.txt, line 4: unknown key \"vectr\"; "
            + "expected vector, group, chunk, columns, items, resident. Fix the line, or delete the file and run "
            + "`bn-gpu-bench tune` again")
        let whole = BatchNormError.invalidTuningTable(source: "/t.txt", line: 0, problem: "is not UTF-8 text")
        #expect(whole.description == "tuning table /t.txt: is not UTF-8 text")
    }

    // MARK: Locations

    @Test("the user's file: BN_TUNING_FILE, else XDG_CACHE_HOME, else HOME; empty values count as unset")
    func userFileLocation() {
        func path(_ environment: [String: String]) -> String? {
            TuningTable.userFileURL(environment: environment)?.path
        }
        let all = ["BN_TUNING_FILE": "/tmp/mine.txt", "XDG_CACHE_HOME": "/var/cache/u", "HOME": "/home/u"]
        #expect(path(all) == "/tmp/mine.txt")
        #expect(path(all.merging(["BN_TUNING_FILE": ""]) { $1 }) == "/var/cache/u/BatchNorm/tuning.txt")
        #expect(path(["XDG_CACHE_HOME": "/var/cache/u/", "HOME": "/home/u"]) == "/var/cache/u/BatchNorm/tuning.txt")
        #expect(path(["XDG_CACHE_HOME": "", "HOME": "/home/u"]) == "/home/u/.cache/BatchNorm/tuning.txt")
        #expect(path(["HOME": "/home/u"]) == "/home/u/.cache/BatchNorm/tuning.txt")
        #expect(path(["XDG_CACHE_HOME": "relative/cache", "HOME": "/home/u"]) == "/home/u/.cache/BatchNorm/tuning.txt",
                "the XDG specification says to ignore a relative path")
        #expect(path([:]) == nil)
        #expect(path(["HOME": ""]) == nil)
    }

    /// A fresh folder under the temporary directory, removed after `body`.
    static func withTemporaryFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appending(component: "TuningTableTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    /// Checks that `body` throws `invalidTuningTable` for `url` at `line`, with `fragment` in the problem.
    static func expectRefusal(of url: URL, line: Int, fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("accepted", sourceLocation: sourceLocation)
        } catch let BatchNormError.invalidTuningTable(source, refusedLine, problem) {
            #expect(source == url.path, sourceLocation: sourceLocation)
            #expect(refusedLine == line, "\(problem)", sourceLocation: sourceLocation)
            #expect(problem.contains(fragment), "\(problem)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("no user file yet is an empty table; a malformed one is refused with its path and line")
    func loadUser() throws {
        try Self.withTemporaryFolder { folder in
            let url = folder.appending(components: "BatchNorm", "tuning.txt")
            let environment = ["XDG_CACHE_HOME": folder.path, "HOME": "/nonexistent"]
            #expect(try TuningTable.loadUser(environment: environment) == TuningTable())
            #expect(try TuningTable.loadUser(environment: [:]) == TuningTable())

            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(Self.table.text.utf8).write(to: url)
            #expect(try TuningTable.loadUser(environment: environment) == Self.table)

            try Data(Self.block(row: "planar small vectr=16").utf8).write(to: url)
            Self.expectRefusal(of: url, line: 4, fragment: "unknown key \"vectr\"") {
                _ = try TuningTable.loadUser(environment: environment)
            }
            try Data([0x64, 0x65, 0xFF, 0x0A]).write(to: url)
            Self.expectRefusal(of: url, line: 0, fragment: "is not UTF-8 text") {
                _ = try TuningTable.loadUser(environment: environment)
            }
            let directory = folder.appending(component: "a-folder")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            Self.expectRefusal(of: directory, line: 0, fragment: "is a folder, not a file; set BN_TUNING_FILE") {
                _ = try TuningTable.loadUser(environment: ["BN_TUNING_FILE": directory.path])
            }
        }
    }

    @Test("saving replaces the same device and driver in place and keeps every other block")
    func save() throws {
        try Self.withTemporaryFolder { folder in
            let url = folder.appending(components: "new", "folder", "tuning.txt")
            let planarSmall = ShapeClass(traversal: .planar, size: .small)
            let first = TuningTable.Entry(deviceName: "first", driverVersion: "1", rows: [planarSmall: Self.settings])
            let retuned = TuningTable.Entry(deviceName: Self.device, driverVersion: "6.0+debian", rows: [planarSmall: Self.other])
            let newDriver = TuningTable.Entry(deviceName: Self.device, driverVersion: "7.0", rows: [planarSmall: Self.settings])

            try TuningTable.save(TuningTable(entries: [first] + Self.table.entries), to: url)
            #expect(try TuningTable.load(from: url) == TuningTable(entries: [first] + Self.table.entries))

            try TuningTable.save(TuningTable(entries: [retuned]), to: url)
            #expect(try TuningTable.load(from: url) == TuningTable(entries: [first, retuned, Self.table.entries[1]]))

            try TuningTable.save(TuningTable(entries: [newDriver]), to: url)
            #expect(try TuningTable.load(from: url) == TuningTable(entries: [first, retuned, Self.table.entries[1], newDriver]))
            #expect(try String(contentsOf: url, encoding: .utf8) == TuningTable(entries: [first, retuned, Self.table.entries[1], newDriver]).text)
        }
    }

    @Test("saving refuses a table that would not read back, and a malformed file, leaving the file as it was")
    func saveRefusals() throws {
        try Self.withTemporaryFolder { folder in
            let url = folder.appending(component: "tuning.txt")
            let planarSmall = ShapeClass(traversal: .planar, size: .small)
            var bad = Self.other
            bad.vectorWidth = 3
            Self.expectRefusal(of: url, line: 0, fragment: "not written: its line 4 would be refused: vector=3") {
                try TuningTable.save(TuningTable(entries: [.init(deviceName: "gpu", driverVersion: "1", rows: [planarSmall: bad])]), to: url)
            }
            Self.expectRefusal(of: url, line: 0, fragment: "would not read back") {
                try TuningTable.save(TuningTable(entries: [.init(deviceName: " gpu", driverVersion: "1")]), to: url)
            }
            #expect(!FileManager.default.fileExists(atPath: url.path))

            let malformed = Self.block(row: "planar small vector=16")
            try Data(malformed.utf8).write(to: url)
            Self.expectRefusal(of: url, line: 4, fragment: "missing group") {
                try TuningTable.save(Self.table, to: url)
            }
            #expect(try String(contentsOf: url, encoding: .utf8) == malformed)
        }
    }

    @Test("a folder that cannot be made is reported with the file's path",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self"), "needs Linux's /proc, where even root cannot make folders"))
    func unwritable() {
        let url = URL(filePath: "/proc/no-such-folder/tuning.txt")
        Self.expectRefusal(of: url, line: 0, fragment: "cannot be written (No such file or directory)") {
            try TuningTable.save(Self.table, to: url)
        }
    }

    @Test("the shipped table parses and has the classes the tuner's standard shapes fall in for each of its devices")
    func shipped() {
        let shipped = TuningTable.shipped
        #expect(shipped.entries.contains { $0.deviceName == Self.device })
        // No standard shape has 2^20 or more values per feature, so `huge` rows are not measured and
        // such shapes take the heuristic.
        let measured = Set(ShapeClass.allCases.filter { $0.size != .huge })
        for entry in shipped.entries {
            #expect(measured.isSubset(of: Set(entry.rows.keys)), "\(entry.deviceName) \(entry.driverVersion)")
        }
        #expect(String(decoding: PackageResources.shipped_txt, as: UTF8.self).hasPrefix(TuningTable.textHeader))
    }
}
