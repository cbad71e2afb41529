#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BNCore

/// Where tables come from: the one built into the library, and the user's file that
/// `bn-gpu-bench tune` writes.
extension TuningTable {
    /// How errors name the built-in table.
    static let shippedSource = "built-in table Sources/BNGPU/Tuning/Tables/shipped.txt"

    /// The table built into the library, measured by its maintainers (`Tuning/Tables/shipped.txt`,
    /// embedded at build time).
    package static let shipped: TuningTable = {
        do {
            return try TuningTable(text: String(decoding: PackageResources.shipped_txt, as: UTF8.self), source: shippedSource)
        } catch {
            // The file is part of the source tree and a test parses it: failing here is a build defect.
            preconditionFailure("\(error)")
        }
    }()

    /// The user's tuning file for this process's environment; see ``userFileURL(environment:)``.
    package static var userFileURL: URL? {
        userFileURL(environment: ProcessInfo.processInfo.environment)
    }

    /// The user's tuning file: `$BN_TUNING_FILE`, else `$XDG_CACHE_HOME/BatchNorm/tuning.txt`, else
    /// `$HOME/.cache/BatchNorm/tuning.txt`.
    ///
    /// An empty variable counts as unset, and a relative `XDG_CACHE_HOME` is ignored, as the XDG Base
    /// Directory specification asks. The file need not exist.
    /// - Parameter environment: The environment variables, by name.
    /// - Returns: The file's location, or nil when none of the three variables is set.
    package static func userFileURL(environment: [String: String]) -> URL? {
        func value(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        if let path = value("BN_TUNING_FILE") {
            return URL(filePath: path)
        }
        if let cache = value("XDG_CACHE_HOME"), cache.hasPrefix("/") {
            return URL(filePath: cache, directoryHint: .isDirectory).appending(components: "BatchNorm", "tuning.txt")
        }
        if let home = value("HOME") {
            return URL(filePath: home, directoryHint: .isDirectory).appending(components: ".cache", "BatchNorm", "tuning.txt")
        }
        return nil
    }

    /// The user's table, from the file ``userFileURL(environment:)`` names.
    /// - Parameter environment: The environment variables, by name; the process's by default.
    /// - Returns: The table in the file, or an empty table when there is no file (nothing tuned yet)
    ///   or no location.
    /// - Throws: `BatchNormError.invalidTuningTable` naming the file when it does not parse, is not
    ///   UTF-8 text or cannot be read.
    package static func loadUser(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TuningTable {
        guard let url = userFileURL(environment: environment) else { return TuningTable() }
        return try load(from: url) ?? TuningTable()
    }

    /// Writes a table's entries into a file, keeping the file's entries for other devices and
    /// driver versions in their places: read, merge, write.
    ///
    /// Each entry of `table` replaces the file's entry for the same device name and driver version,
    /// or is added after the others. The folder is created when missing, and the file is replaced
    /// atomically, so a reader never sees half a table.
    /// - Parameters:
    ///   - table: The entries to write, for example one device's freshly measured settings.
    ///   - url: The file, usually ``userFileURL``.
    /// - Throws: `BatchNormError.invalidTuningTable` naming the file when the file there does not
    ///   parse (it is left as it was), when the merged table would not read back (a value out of range,
    ///   a name that is empty or spans lines), or when the folder or the file cannot be written.
    package static func save(_ table: TuningTable, to url: URL) throws {
        let source = url.path
        var merged = try load(from: url) ?? TuningTable()
        for entry in table.entries {
            if let index = merged.entries.firstIndex(where: { $0.matches(deviceName: entry.deviceName, driverVersion: entry.driverVersion) }) {
                merged.entries[index] = entry
            } else {
                merged.entries.append(entry)
            }
        }
        let text = merged.text
        do {
            guard try TuningTable(text: text, source: source) == merged else {
                throw BatchNormError.invalidTuningTable(
                    source: source, line: 0,
                    problem: "not written: a device name or driver version is empty, spans lines or has surrounding whitespace, so it would not read back")
            }
        } catch let BatchNormError.invalidTuningTable(_, line, problem) where line > 0 {
            throw BatchNormError.invalidTuningTable(source: source, line: 0,
                                                    problem: "not written: its line \(line) would be refused: \(problem)")
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw BatchNormError.invalidTuningTable(
                source: source, line: 0,
                problem: "cannot be written (\(reason(error))); check the folder's permissions, or set BN_TUNING_FILE to a writable path")
        }
    }

    /// The table in a file.
    /// - Parameter url: The file.
    /// - Returns: The table, or nil when there is no file.
    /// - Throws: `BatchNormError.invalidTuningTable` naming the file when it does not parse, is not
    ///   UTF-8 text or cannot be read.
    static func load(from url: URL) throws -> TuningTable? {
        let source = url.path
        var status = stat()
        if stat(source, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw BatchNormError.invalidTuningTable(
                source: source, line: 0, problem: "is a folder, not a file; set BN_TUNING_FILE to a file's path, such as \(source)/tuning.txt")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw BatchNormError.invalidTuningTable(
                source: source, line: 0,
                problem: "cannot be read (\(reason(error))); check its permissions, or delete it and run `bn-gpu-bench tune` again")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw BatchNormError.invalidTuningTable(
                source: source, line: 0, problem: "is not UTF-8 text; delete it and run `bn-gpu-bench tune` again")
        }
        return try TuningTable(text: text, source: source)
    }

    /// What the file system said, as `strerror` words it where there is an underlying POSIX error.
    private static func reason(_ error: any Error) -> String {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return "\(error)"
    }
}
