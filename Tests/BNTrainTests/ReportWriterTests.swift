import Foundation
@testable import bn_train
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Writing the report: the folder made, four whole files, errors that name the path and the reason.
@Suite("ReportWriter")
struct ReportWriterTests {
    let folder: ReportFolder
    let report = ReportFixture.report(epochs: 10, probes: 11)

    init() throws {
        folder = try ReportFolder()
    }

    @Test("makes missing folders, writes the four files whole, and leaves no temporary file")
    func writes() throws {
        let directory = folder.path("new/nested")
        let paths = try ReportWriter.write(report, to: directory)
        #expect(paths == report.files.map { directory + "/" + $0.name })
        #expect(try folder.contents("new/nested") == report.files.map(\.name).sorted())
        for (path, file) in zip(paths, report.files) {
            #expect(try String(contentsOfFile: path, encoding: .utf8) == file.contents)
        }
        #expect(SVGOutline(try String(contentsOfFile: paths[0], encoding: .utf8)).isWellFormed)
    }

    @Test("writing again replaces every file whole, into a folder that exists")
    func rewrites() throws {
        let directory = folder.path("out")
        try ReportWriter.write(report, to: directory)
        let longer = ReportFixture.report(epochs: 30, probes: 11)
        try ReportWriter.write(report, to: directory)
        let paths = try ReportWriter.write(longer, to: directory)
        #expect(try String(contentsOfFile: paths[1], encoding: .utf8) == longer.learningCurvesTable.text)
        #expect(try folder.contents("out").count == 4)
    }

    @Test("a folder under a regular file is refused, naming the folder and the file in its way")
    func fileInTheWay() throws {
        let file = folder.path("plain.txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let directory = file + "/report"
        #expect {
            try ReportWriter.write(report, to: directory)
        } throws: { error in
            "\(error)" == "could not create the report folder \(directory): \(file) is a file, not a folder"
        }
        #expect {
            try ReportWriter.write(report, to: file)
        } throws: { error in
            "\(error)" == "could not create the report folder \(file): it is a file, not a folder"
        }
        #expect(throws: ReportWriteError.self) { try ReportWriter.write(report, to: "") }
    }

    @Test("a file that cannot be put in place is refused, naming it and the reason, and leaves no temporary file")
    func fileCannotBeReplaced() throws {
        let directory = folder.path("out")
        // A folder where the first file should go: rename(2) cannot put a file over it.
        let blocked = directory + "/" + report.files[0].name
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        #expect {
            try ReportWriter.write(report, to: directory)
        } throws: { error in
            let prefix = "could not write \(blocked): "
            return "\(error)".hasPrefix(prefix) && "\(error)".count > prefix.count
        }
        #expect(try folder.contents("out") == [report.files[0].name])
    }

    @Test("a folder the user cannot write is refused with the system's reason",
          .enabled(if: getuid() != 0, "root may write any folder"))
    func unwritableFolder() throws {
        let locked = folder.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked) }
        #expect {
            try ReportWriter.write(report, to: locked)
        } throws: { error in
            "\(error)" == "could not write \(locked)/\(report.files[0].name): Permission denied"
        }
        #expect {
            try ReportWriter.write(report, to: locked + "/sub")
        } throws: { error in
            "\(error)" == "could not create the report folder \(locked)/sub: Permission denied"
        }
    }
}
