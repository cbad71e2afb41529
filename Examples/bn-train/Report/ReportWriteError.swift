/// A report's folder that could not be made, or one of its files that could not be written.
struct ReportWriteError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What was being done.
    enum Operation: Sendable, Hashable {
        /// Making the report's folder (and any missing folders above it).
        case createFolder
        /// Writing one file, through a temporary file renamed into place.
        case writeFile
    }

    var operation: Operation
    /// The folder or file, as the writer was given it.
    var path: String
    /// Why, as the system or the writer words it: "Permission denied", "/tmp/x is a file, not a folder".
    var reason: String

    /// "could not create the report folder PATH: REASON" or "could not write PATH: REASON".
    var description: String {
        switch operation {
        case .createFolder: "could not create the report folder \(path): \(reason)"
        case .writeFile: "could not write \(path): \(reason)"
        }
    }
}
