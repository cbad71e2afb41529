#if canImport(Glibc)
import Glibc
#endif

/// The resident memory of this process, for soak tests: process-wide, so a measurement means
/// something only in a process that runs nothing else meanwhile.
public enum ResidentMemory {
    /// Bytes of this process in RAM now: the second field of `/proc/self/statm` (resident pages)
    /// times the page size; nil where there is no `/proc` (not Linux).
    public static func bytes() -> Int? {
        #if os(Linux)
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
        #else
        return nil
        #endif
    }

    /// `bytes` in megabytes (10⁶ bytes) with two decimals, as reports print it: `41.27 MB`.
    public static func describe(_ bytes: Int) -> String {
        let hundredths = (Double(bytes) / 1e4).rounded() / 100
        return "\(hundredths) MB"
    }
}
