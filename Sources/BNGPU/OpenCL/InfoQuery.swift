import COpenCL

/// Reads the values of `clGet*Info` calls, which all share one shape: ask for the size, then the bytes.
enum InfoQuery {
    /// The signature every `clGet*Info` call reduces to once its object and parameter are bound.
    typealias Call = (_ size: Int, _ value: UnsafeMutableRawPointer?, _ sizeReturned: UnsafeMutablePointer<Int>?) -> cl_int

    /// A fixed-size value, such as a `cl_uint` or `cl_ulong`.
    static func scalar<Value: BitwiseCopyable>(_ function: StaticString, as type: Value.Type, _ call: Call) throws -> Value {
        try withUnsafeTemporaryAllocation(of: Value.self, capacity: 1) { storage in
            try OpenCLCall.check(function) { call(MemoryLayout<Value>.size, storage.baseAddress, nil) }
            return storage[0]
        }
    }

    /// A NUL-terminated string, without its terminator and surrounding spaces.
    static func string(_ function: StaticString, _ call: Call) throws -> String {
        let bytes = try array(function, of: UInt8.self, call)
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        return text.trimmingCharacters(in: " ")
    }

    /// An array of values whose length the call reports.
    static func array<Element: BitwiseCopyable>(_ function: StaticString, of type: Element.Type, _ call: Call) throws -> [Element] {
        var size = 0
        try OpenCLCall.check(function) { call(0, nil, &size) }
        let count = size / MemoryLayout<Element>.stride
        guard count > 0 else { return [] }
        return try [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            try OpenCLCall.check(function) { call(size, buffer.baseAddress, nil) }
            initialized = count
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
