import Foundation

/// Messages besides rank 0's result line, kept off standard output so that it holds that line alone.
enum StandardError {
    /// Writes `line` and a newline to standard error.
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
