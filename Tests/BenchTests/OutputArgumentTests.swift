import BNTestSupport
import Foundation
@testable import bn_gpu_bench
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `--json`, `--csv` and `tune --output`: a path that cannot be written is refused before anything
/// is measured, with what to do instead.
@Suite("--json, --csv and tune --output")
struct OutputArgumentTests {
    let folder: TemporaryFolder
    /// A regular file, to stand where a folder should be.
    let file: String

    init() throws {
        folder = try TemporaryFolder()
        file = folder.path("plain.txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    }

    @Test("an empty path, a folder, a missing folder or a file as a folder is refused, naming the option")
    func refused() {
        for option in ["--json", "--csv"] {
            expectRefusal([option, ""], mentions: ["\(option) is empty", "give a file name"])
            expectRefusal([option, "  "], mentions: ["\(option) is empty"])
            expectRefusal([option, folder.url.path], mentions: ["\(option) \(folder.url.path) names a folder", "such as \(folder.url.path)/report."])
            expectRefusal([option, "out/"], mentions: ["names a folder", "such as out/report."])
            expectRefusal([option, folder.path("missing/report")],
                          mentions: ["the folder \(folder.path("missing")) does not exist; create it first"])
            expectRefusal([option, file + "/report"], mentions: ["\(file) is a file, not a folder"])
        }
        expectRefusal(["tune", "--output", ""], mentions: ["--output is empty", "such as tuning.txt"])
        expectRefusal(["tune", "--output", folder.url.path], mentions: ["names a folder", "/tuning.txt"])
        expectRefusal(["tune", "--output", file + "/sub/tuning.txt"], mentions: ["\(file) is a file, not a folder"])
    }

    @Test("--json and --csv naming one file are refused, however the path is spelled")
    func sameFile() throws {
        expectRefusal(["--json", "a.out", "--csv", "./a.out"], mentions: ["--json a.out and --csv ./a.out name the same file"])
        expectRefusal(["--json", folder.path("r"), "--csv", folder.path("sub/../r")], mentions: ["name the same file"])
        let link = folder.path("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.url.path)
        expectRefusal(["--json", folder.path("r"), "--csv", link + "/r"], mentions: ["name the same file"])
    }

    @Test("--print-only with --output is refused: the file would be ignored")
    func printOnlyAndOutput() {
        expectRefusal(["tune", "--print-only", "--output", folder.path("t.txt")],
                      mentions: ["--print-only saves nothing", "drop one of them"])
    }

    @Test("writable paths parse; tune creates missing folders, so its --output may name them")
    func accepted() throws {
        let run = try parsed(BNGPUBench.Run.self, ["--json", folder.path("r.json"), "--csv", file])
        #expect(run.jsonFile?.path == folder.path("r.json") && run.csvFile?.path == file)
        _ = try parsed(BNGPUBench.Run.self, ["--json", "/dev/null"])
        _ = try parsed(BNGPUBench.Tune.self, ["tune", "--output", folder.path("new/folders/tuning.txt")])
    }

    @Test("a folder the user cannot write is refused", .enabled(if: getuid() != 0, "root may write any folder"))
    func unwritableFolder() throws {
        let locked = folder.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
        expectRefusal(["--json", locked + "/r.json"], mentions: ["the folder \(locked) cannot be written", "choose another folder"])
        expectRefusal(["tune", "--output", locked + "/sub/t.txt"], mentions: ["the folder \(locked) cannot be written"])
    }

    @Test("a write replaces the whole file, and a failed one names the option, the path and the reason")
    func write() throws {
        let report = OutputFile(file, source: "--csv", example: "report.csv")
        try report.write(Data("a much longer first version\n".utf8))
        try report.write(Data("short\n".utf8))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "short\n")

        let missing = OutputFile(folder.path("gone/r.json"), source: "--json", example: "report.json")
        #expect {
            try missing.write(Data("{}".utf8))
        } throws: { error in
            "\(error)" == "could not write --json \(folder.path("gone/r.json")): No such file or directory"
        }
    }
}
