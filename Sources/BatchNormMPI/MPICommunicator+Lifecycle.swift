#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BNCore
import BNSynchronized
import BNMPIShim

/// Ending MPI: normally once every process is done, or all at once when one of them fails.
extension MPICommunicator {
    /// Ends MPI in this process (MPI_Finalize, collective over every process of the job) when an
    /// ``MPICommunicator`` initialized it; MPI that the engine initialized is left to the engine.
    /// Call it once on every process, after the last pass; no MPI call may follow.
    /// - Returns: Whether MPI_Finalize was called.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` when MPI_Finalize fails.
    @discardableResult
    public static func finalize() throws -> Bool {
        var finalized: CInt = 0
        try MPIStatus.check(bn_mpi_finalize(&finalized), "MPI_Finalize")
        return finalized != 0
    }

    /// Ends every process of the group (MPI_Abort), for a process that failed while the others wait
    /// for it in a collective, as ``SynchronizedBatchNorm`` asks. Ends this process with
    /// `exitCode` should MPI_Abort return.
    /// - Parameter exitCode: The status the processes end with.
    public func abort(exitCode: Int32) -> Never {
        if bn_mpi_current_state() == BN_MPI_INITIALIZED {
            _ = bn_mpi_abort(handle.fortranHandle, exitCode)
        }
        exit(exitCode)
    }
}
