import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file the bench writes (`run --json` and `--csv`, `tune --output`): checked before anything is
/// measured, so that a path that cannot be written costs no time, and written whole or not at all.
struct OutputFile: Sendable {
    /// The path as given.
    let path: String
    /// What named the file, for messages: `--json`, `BN_TUNING_FILE`.
    let source: String
    /// A file name to suggest when `path` is empty or a folder: `report.json`.
    let example: String

    /// - Parameters:
    ///   - path: The path as given.
    ///   - source: What named the file, for messages: `--json`, `BN_TUNING_FILE`.
    ///   - example: A file name to suggest when `path` is empty or a folder: `report.json`.
    init(_ path: String, source: String, example: String) {
        (self.path, self.source, self.example) = (path, source, example)
    }

    /// What would stop the file from being written, as a sentence that says what to do; nil when
    /// nothing that can be seen beforehand would. A full disk, or a file system that refuses even the
    /// superuser, still shows only when writing.
    /// - Parameter createsFolders: Whether writing creates missing folders (as a tuning table's save
    ///   does); if not, the file's folder must exist.
    /// - Returns: The problem, or nil.
    func problem(createsFolders: Bool) -> String? {
        guard !path.allSatisfy(\.isWhitespace) else {
            return "\(source) is empty; give a file name, such as \(example)"
        }
        if path.hasSuffix("/") || Self.isFolder(path) {
            return "\(source) \(path) names a folder; give a file in it, such as \(Self.joined(path, example))"
        }
        if Self.exists(path) && access(path, W_OK) != 0 {
            return "\(source) \(path) cannot be written (\(String(cString: strerror(errno)))); choose another file"
        }
        if Self.exists(path) && !isRegularFile {
            return nil // a device such as /dev/stdout is written in place, whatever its folder
        }
        // The nearest folder that exists: the file's own, or the one its missing folders go in.
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var missing: String?
        while !Self.exists(folder) {
            let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
            guard parent != folder else { break } // the root; it exists wherever a path can be written
            missing = missing ?? folder
            folder = parent
        }
        guard Self.isFolder(folder) else {
            return "\(source) \(path): \(folder) is a file, not a folder; choose another path"
        }
        if let missing, !createsFolders {
            return "\(source) \(path): the folder \(missing) does not exist; create it first"
        }
        // A regular file is written as a new file in its folder and renamed over the old one.
        guard access(folder, W_OK | X_OK) == 0 else {
            return "\(source) \(path): the folder \(folder) cannot be written (\(String(cString: strerror(errno)))); "
                + "choose another folder"
        }
        return nil
    }

    /// The path with `.` and `..` and symbolic links resolved, in its folder as far as it exists: two
    /// outputs with equal canonical paths are one file.
    var canonicalPath: String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.deletingLastPathComponent().resolvingSymlinksInPath()
            .appendingPathComponent(url.lastPathComponent).resolvingSymlinksInPath().path
    }

    /// Writes `data`. A regular file is written whole to a temporary file in its folder and renamed
    /// over the old one, so that no reader sees half a report and a failed write leaves the old
    /// file; a device such as `/dev/stdout` is written in place.
    /// - Parameter data: The file's contents.
    /// - Throws: `OutputFile.WriteError` with the path and the system's reason.
    func write(_ data: Data) throws {
        let url = URL(fileURLWithPath: canonicalPath)
        do {
            try data.write(to: url, options: isRegularFile || !Self.exists(url.path) ? .atomic : [])
        } catch {
            throw WriteError(source: source, path: path, reason: error.fileSystemReason)
        }
    }

    /// A file that could not be written after all.
    struct WriteError: Error, CustomStringConvertible {
        var source: String
        var path: String
        var reason: String
        var description: String { "could not write \(source) \(path): \(reason)" }
    }

    /// Whether the path, its links followed, is a regular file.
    private var isRegularFile: Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    private static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    private static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }

    private static func joined(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
