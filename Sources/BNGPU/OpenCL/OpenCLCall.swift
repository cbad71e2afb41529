import BNCore
import COpenCL
import Synchronization

/// The one place where an OpenCL status becomes a thrown ``BatchNormError``: every `cl*` call of
/// the library goes through ``check(_:_:)`` or ``make(_:_:)``.
///
/// It is also the seam where tests inject faults: while ``injectedFault`` names a function in the
/// current task, that function is not called and its status is returned instead.
enum OpenCLCall {
    /// A status to return instead of calling `function`, from its `(passing + 1)`-th call on.
    struct Fault: Sendable {
        var function: String
        var status: OpenCLStatus
        /// Calls of `function` to let through before the fault strikes: 0 fails the first, 2 lets
        /// a pass enqueue two kernels and fails its third.
        var passing = 0
        /// Calls of `function` seen so far, shared by copies of the fault.
        private let seen = CallCounter()

        init(function: String, status: OpenCLStatus, passing: Int = 0) {
            self.function = function
            self.status = status
            self.passing = passing
        }

        /// Counts a call of `function` and says whether it fails.
        fileprivate func strikes() -> Bool {
            seen.value.add(1, ordering: .relaxed).oldValue >= passing
        }
    }

    /// The fault injected for the current task, if any (tests only).
    @TaskLocal static var injectedFault: Fault?

    /// Runs a call that returns its status.
    /// - Parameters:
    ///   - function: The OpenCL function's name, for the error.
    ///   - call: The call.
    /// - Throws: `BatchNormError.openCLCallFailed` unless it returns `CL_SUCCESS`.
    static func check(_ function: StaticString, _ call: () -> cl_int) throws {
        let status = injectedStatus(for: function) ?? OpenCLStatus(rawValue: call())
        if status != .success {
            throw failure(function, status)
        }
    }

    /// Runs a call that makes an object and reports its status through an out-parameter.
    /// - Parameters:
    ///   - function: The OpenCL function's name, for the error.
    ///   - call: The call, given the address for the status.
    /// - Returns: The object.
    /// - Throws: `BatchNormError.openCLCallFailed` unless the status is
    ///   `CL_SUCCESS` and the object exists.
    static func make<Object>(_ function: StaticString, _ call: (UnsafeMutablePointer<cl_int>) -> Object?) throws -> Object {
        if let status = injectedStatus(for: function) {
            throw failure(function, status)
        }
        var code = CL_SUCCESS
        let object = call(&code)
        guard code == CL_SUCCESS, let object else {
            throw failure(function, OpenCLStatus(rawValue: code == CL_SUCCESS ? CL_INVALID_VALUE : code))
        }
        return object
    }

    /// The error for a failed call.
    static func failure(_ function: StaticString, _ status: OpenCLStatus) -> BatchNormError {
        .openCLCallFailed(function: "\(function)", code: status.rawValue, name: status.name)
    }

    private static func injectedStatus(for function: StaticString) -> OpenCLStatus? {
        guard let fault = injectedFault, fault.function == "\(function)", fault.strikes() else { return nil }
        return fault.status
    }
}

/// An atomic count that copies of a ``OpenCLCall/Fault`` share.
private final class CallCounter: Sendable {
    let value = Atomic<Int>(0)
}
