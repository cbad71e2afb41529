import Foundation

/// Lines for standard error: the executables' progress and error messages, kept off standard
/// output so that what they print there (the bench's table, bn-sync's result line) can be piped.
package enum StandardError {
    /// Writes `line` and a newline to standard error.
    /// - Parameter line: The message.
    package static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
