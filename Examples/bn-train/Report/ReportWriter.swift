import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an experiment's figures and tables into a folder.
///
/// Each file is written whole to a temporary file in the same folder and renamed over its final
/// name, so that a reader never sees half a file and a failed write leaves any earlier version as
/// it was.
enum ReportWriter {
    /// Writes the report's four files (see ``ExperimentReport/files``) into `directory`, making the
    /// folder and any missing folders above it.
    /// - Parameters:
    ///   - report: The networks' histories.
    ///   - directory: The folder to write into.
    /// - Returns: The paths written, in the order of ``ExperimentReport/files``: `directory/name`.
    /// - Throws: ``ReportWriteError`` naming the folder or file and the reason.
    @discardableResult
    static func write(_ report: ExperimentReport, to directory: String) throws -> [String] {
        try write(report.files, to: directory)
    }

    /// Writes `files` into `directory`, making the folder and any missing folders above it.
    /// - Parameters:
    ///   - files: The files, each written through a temporary file renamed into place.
    ///   - directory: The folder to write into.
    /// - Returns: The paths written, in order.
    /// - Throws: ``ReportWriteError`` naming the folder or file and the reason; files written
    ///   before the failure stay.
    @discardableResult
    static func write(_ files: [ReportFile], to directory: String) throws -> [String] {
        try makeFolder(directory)
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        return try files.map { file in
            let path = folder.appendingPathComponent(file.name).path
            try write(Data(file.contents.utf8), to: path, in: folder)
            return path
        }
    }

    /// Makes `directory` unless it is a folder already.
    private static func makeFolder(_ directory: String) throws {
        func failure(_ reason: String) -> ReportWriteError {
            ReportWriteError(operation: .createFolder, path: directory, reason: reason)
        }
        guard !directory.isEmpty else { throw failure("the path is empty; give a folder, such as bn-train-output") }
        if let isFolder = kind(directory) {
            guard isFolder else { throw failure("it is a file, not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            // The likeliest cause, a file where a folder should be, said in words that point at it.
            var ancestor = URL(fileURLWithPath: directory).deletingLastPathComponent()
            while kind(ancestor.path) == nil && ancestor.path != "/" {
                ancestor = ancestor.deletingLastPathComponent()
            }
            if kind(ancestor.path) == false { throw failure("\(ancestor.path) is a file, not a folder") }
            throw failure(reason(error))
        }
    }

    /// Writes `data` to a new temporary file in `folder`, then renames it to `path`.
    private static func write(_ data: Data, to path: String, in folder: URL) throws {
        func failure(_ reason: String) -> ReportWriteError {
            ReportWriteError(operation: .writeFile, path: path, reason: reason)
        }
        // A dot file with a unique suffix: hidden from a plain listing and never another writer's.
        let temporary = folder.appendingPathComponent(".\(URL(fileURLWithPath: path).lastPathComponent)."
            + "\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw failure(reason(error))
        }
        // rename(2) replaces an existing file in one step; FileManager's move refuses to.
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw failure(reason)
        }
    }

    /// Whether `path` is a folder (true), something else (false), or nothing (nil); links followed.
    private static func kind(_ path: String) -> Bool? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
        return isFolder.boolValue
    }

    /// What the file system said, as `strerror` words it where there is an underlying POSIX error.
    private static func reason(_ error: any Error) -> String {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        if let posix = error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return (error as? CocoaError)?.localizedDescription ?? "\(error)"
    }
}
