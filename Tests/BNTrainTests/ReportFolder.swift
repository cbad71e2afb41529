import Foundation

/// A new empty folder under the system's temporary folder for the report tests, removed when the
/// value goes away.
final class ReportFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` in the folder.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// The names of the folder's entries under `subfolder`, sorted.
    func contents(_ subfolder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(subfolder)).sorted()
    }
}
