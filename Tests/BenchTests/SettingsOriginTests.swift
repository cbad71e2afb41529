import BatchNorm
import BNTestSupport
import Foundation
import Testing

/// Which settings each row used: a tuning table's row for its class of shapes, the heuristic for a
/// class the table has no row for, or `--settings`; in the table, the JSON and the CSV.
@Suite("the settings' origin of each row", .enabled(if: TestBackends.hasOpenCLDevice),
       .enabled(if: ProductProcess.bench.executable != nil, ProductProcess.bench.missingReason))
struct SettingsOriginTests {
    /// A user table with a row for interleaved small shapes only, on the suites' device.
    static func table(in folder: TemporaryFolder) throws -> String {
        let device = try TestBackends.openCL().device
        let text = "device: \(device.name)\ndriver: \(device.driverVersion)\n"
            + "interleaved small vector=4 group=1 chunk=4096 columns=1 items=4096 resident=0 span=1\n"
        let path = folder.path("tuning.txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The suites' device for `--device`, not the first listed: where Oclgrind is installed (as on
    /// CI) it comes first, and its kernels do not build under the default options.
    static var device: String { TestBackends.deviceQuery ?? "0" }

    /// The rows of a run's JSON as (shape layout, settings).
    static func origins(_ json: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json)))
        let rows = try #require((object as? [String: Any])?["rows"] as? [[String: Any]])
        var result: [String: String] = [:]
        for row in rows {
            let key = "\(row["shape"] as? String ?? "?") \(row["layout"] as? String ?? "?")"
            #expect(result[key] == nil || result[key] == row["settings"] as? String, "one origin per shape and layout")
            result[key] = row["settings"] as? String
        }
        return result
    }

    @Test("a class the user's table has a row for says user table; a class it lacks, heuristic; --settings every row")
    func perRow() throws {
        let folder = try TemporaryFolder()
        let environment = ["BN_TUNING_FILE": try Self.table(in: folder)]
        // 4x64: interleaved small (the table's row); 2x4x8x8 NCHW: planar small (no row), NHWC: interleaved small
        let arguments = ["--shapes", "4x64,2x4x8x8", "--passes", "forward-inference", "--iterations", "1",
                         "--device", Self.device]
        let tuned = try ProductProcess.bench.run(arguments + ["--json", folder.path("tuned.json"), "--csv", folder.path("tuned.csv")],
                                                 environment: environment)
        #expect(tuned.status == 0, "\(tuned)")
        #expect(try Self.origins(folder.path("tuned.json"))
                == ["4x64 nc": "user table", "2x4x8x8 nchw": "heuristic", "2x4x8x8 nhwc": "user table"])
        let csv = try String(contentsOfFile: folder.path("tuned.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv[0].hasSuffix(",settings") && csv.dropFirst().allSatisfy { $0.hasSuffix(",user table") || $0.hasSuffix(",heuristic") })
        let table = tuned.standardOutput.split(separator: "\n").filter { $0.hasPrefix("4x64 ") || $0.hasPrefix("2x4x8x8 ") }
        #expect(table.count == 3 && table.filter { $0.hasSuffix("  user table") }.count == 2
                    && table.filter { $0.hasSuffix("  heuristic") }.count == 1, "\(table)")

        let overridden = try ProductProcess.bench.run(
            arguments + ["--json", folder.path("set.json"), "--settings", "vector=4 group=1 chunk=4096 columns=1 items=4096 resident=0"],
            environment: environment)
        #expect(overridden.status == 0, "\(overridden)")
        #expect(Set(try Self.origins(folder.path("set.json")).values) == ["--settings"])
    }

    @Test("with BN_AUTOTUNE=1 a class no table has a row for is searched on first use and its rows say searched; the next run finds it; 0 searches nothing")
    func firstUse() throws {
        let folder = try TemporaryFolder()
        let table = try Self.table(in: folder)
        let arguments = ["--shapes", "4x64,2x4x8x8", "--passes", "forward-inference", "--iterations", "1",
                         "--device", Self.device, "--json", folder.path("rows.json")]
        let off = try ProductProcess.bench.run(arguments, environment: ["BN_TUNING_FILE": table, "BN_AUTOTUNE": "0"])
        #expect(off.status == 0 && !off.standardError.contains("first-use search"), "\(off)")
        #expect(try Self.origins(folder.path("rows.json"))["2x4x8x8 nchw"] == "heuristic")

        let on = try ProductProcess.bench.run(arguments, environment: ["BN_TUNING_FILE": table, "BN_AUTOTUNE": "1"])
        #expect(on.status == 0, "\(on)")
        // planar small is the one class the table lacks
        #expect(try Self.origins(folder.path("rows.json"))
                == ["4x64 nc": "user table", "2x4x8x8 nchw": "searched", "2x4x8x8 nhwc": "user table"])
        #expect(on.standardError.contains("searching launch settings for planar small shapes")
                && on.standardError.contains("first-use search: 1 class in "), "\(on.standardError)")
        #expect(try String(contentsOfFile: table, encoding: .utf8).contains("planar small"))

        let again = try ProductProcess.bench.run(arguments, environment: ["BN_TUNING_FILE": table, "BN_AUTOTUNE": "1"])
        #expect(again.status == 0 && !again.standardError.contains("first-use search"), "\(again)")
        #expect(Set(try Self.origins(folder.path("rows.json")).values) == ["user table"])

        let refused = try ProductProcess.bench.run(arguments, environment: ["BN_AUTOTUNE": "maybe"])
        #expect(refused.status != 0 && refused.standardError.contains("BN_AUTOTUNE"), "\(refused)")
    }

    @Test("--autotune searches each class no table has a row for before the rows, saves it in the user's table, and its rows say searched")
    func autotune() throws {
        let folder = try TemporaryFolder()
        let environment = ["BN_TUNING_FILE": folder.path("tuning.txt")]
        let arguments = ["--shapes", "4x64,2x4x8x8", "--passes", "forward-inference", "--iterations", "1",
                         "--device", Self.device,
                         "--autotune", "--json", folder.path("auto.json")]
        let outcome = try ProductProcess.bench.run(arguments, environment: environment)
        #expect(outcome.status == 0, "\(outcome)")
        let origins = try Self.origins(folder.path("auto.json"))
        // a device the built-in table names keeps its rows; any other class is searched
        #expect(origins.count == 3 && origins.values.allSatisfy { $0 == "searched" || $0 == "built-in table" }, "\(origins)")
        let searchedClasses = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("autotune: ") && $0.contains(" settings in ") }
        #expect(outcome.standardError.contains("autotune: \(searchedClasses.count) class"))
        if origins.values.contains("searched") {
            let table = try String(contentsOfFile: folder.path("tuning.txt"), encoding: .utf8)
            #expect(table.split(separator: "\n").filter { $0.hasPrefix("planar ") || $0.hasPrefix("interleaved ") }.count
                    == searchedClasses.count)
            // a second run finds the rows in the user's table and searches nothing
            let again = try ProductProcess.bench.run(arguments, environment: environment)
            #expect(again.status == 0, "\(again)")
            #expect(again.standardError.contains("autotune: 0 classes searched"))
            #expect(Set(try Self.origins(folder.path("auto.json")).values).isSubset(of: ["user table", "built-in table"]))
        }
        let refused = try ProductProcess.bench.run(["--autotune", "--settings", "vector=4 group=1 chunk=4096 columns=1 items=4096 resident=0"])
        #expect(refused.status == 64 && refused.standardError.contains("--autotune searches settings and --settings"), "\(refused)")
    }
}
