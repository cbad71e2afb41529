import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Error {
    /// What the file system said about a failed read or write, as `strerror` words it where there is
    /// an underlying POSIX error ("No such file or directory"), for messages that name the file.
    var fileSystemReason: String {
        if let posix = (self as? CocoaError)?.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return (self as? CocoaError)?.localizedDescription ?? "\(self)"
    }
}
