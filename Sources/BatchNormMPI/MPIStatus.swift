import BNCore
import BNMPIShim

/// Turns MPI's error codes into ``BatchNormError/communicatorFailed(operation:detail:)``: every MPI
/// call of this module goes through ``check(_:_:describe:)``, which is also where tests give codes
/// of their own.
enum MPIStatus {
    /// MPI_SUCCESS, which the MPI standard fixes at 0.
    static let success: CInt = 0

    /// Throws unless `code` is MPI_SUCCESS.
    /// - Parameters:
    ///   - code: What an MPI call returned.
    ///   - operation: The MPI call, such as `MPI_Allgather`.
    ///   - describe: MPI's text for a code; MPI_Error_string by default.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` with the text and the code.
    static func check(_ code: CInt, _ operation: String, describe: (CInt) -> String = describe) throws {
        guard code != success else { return }
        throw BatchNormError.communicatorFailed(operation: operation, detail: "\(describe(code)) (MPI error code \(code))")
    }

    /// MPI_Error_string's text for `code`, or a text that says why MPI gives none.
    /// - Parameter code: An MPI error code.
    /// - Returns: The text.
    static func describe(_ code: CInt) -> String {
        // MPI_MAX_ERROR_STRING is 256 in Open MPI and 512 in MPICH; a longer text is cut.
        var buffer = [CChar](repeating: 0, count: 1024)
        bn_mpi_error_string(code, &buffer, CInt(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws unless MPI is running: after MPI_Finalize, any MPI call aborts the process.
    /// - Parameter operation: The MPI call about to be made.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` before MPI_Init or after MPI_Finalize.
    static func checkRunning(_ operation: String) throws {
        switch bn_mpi_current_state() {
        case BN_MPI_INITIALIZED:
            return
        case BN_MPI_FINALIZED:
            throw BatchNormError.communicatorFailed(operation: operation, detail: "MPI was finalized in this process and cannot run again; make every MPICommunicator and run every pass before MPICommunicator.finalize()")
        default:
            throw BatchNormError.communicatorFailed(operation: operation, detail: "MPI is not initialized; make an MPICommunicator, which initializes it, or initialize it in the engine first")
        }
    }
}
