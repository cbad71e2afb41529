import CZlib

/// Why gzip data could not be read.
struct GunzipError: Error, CustomStringConvertible {
    /// zlib's status and message.
    var status: Int32
    var message: String

    var description: String { "gzip data is damaged or incomplete: zlib status \(status) (\(message))" }
}

/// The bytes that gzip-compressed `data` holds, read with zlib's `inflate`.
/// - Parameter data: A gzip stream, such as a `.gz` file's contents.
/// - Returns: The uncompressed bytes.
/// - Throws: ``GunzipError`` when the stream is not gzip, is damaged or ends early.
func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    // 15 window bits, plus 16: expect a gzip header and trailer rather than zlib's.
    let windowBits: Int32 = 15 + 16
    var status = inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else { throw GunzipError(status: status, message: "inflateInit2 failed") }
    defer { inflateEnd(&stream) }

    var output = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    var input = data
    status = input.withUnsafeMutableBufferPointer { source -> Int32 in
        stream.next_in = source.baseAddress
        stream.avail_in = UInt32(source.count)
        var status = Z_OK
        repeat {
            status = chunk.withUnsafeMutableBufferPointer { target -> Int32 in
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            // Z_BUF_ERROR with input left means no progress was possible: the stream is cut short.
        } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
        return status
    }
    guard status == Z_STREAM_END else {
        let message = stream.msg.map { String(cString: $0) } ?? (status == Z_OK || status == Z_BUF_ERROR ? "the stream ends early" : "no message")
        throw GunzipError(status: status, message: message)
    }
    return output
}
