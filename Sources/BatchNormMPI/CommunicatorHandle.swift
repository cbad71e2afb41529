import BNMPIShim

/// A private duplicate of a communicator (MPI_Comm_dup), as MPI advises libraries to use: its
/// collectives never match the caller's own messages, and its error handler (MPI_ERRORS_RETURN)
/// reports errors instead of aborting without changing the caller's communicator.
final class CommunicatorHandle: Sendable {
    /// The duplicate's Fortran handle.
    let fortranHandle: CInt

    /// Duplicates a communicator; collective over its members.
    /// - Parameter original: The Fortran handle of the communicator to duplicate.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` when MPI refuses, such as
    ///   for a handle that names no communicator.
    init(duplicating original: CInt) throws {
        try MPIStatus.checkRunning("MPI_Comm_dup")
        var duplicate: CInt = 0
        try MPIStatus.check(bn_mpi_comm_duplicate(original, &duplicate), "MPI_Comm_dup")
        fortranHandle = duplicate
    }

    /// Frees the duplicate while MPI runs; after MPI_Finalize there is nothing left to free. A
    /// failure cannot be thrown from here and leaves only a handle behind, so it is ignored.
    deinit {
        guard bn_mpi_current_state() == BN_MPI_INITIALIZED else { return }
        let status = bn_mpi_comm_free(fortranHandle)
        assert(status == MPIStatus.success, "MPI_Comm_free failed: \(MPIStatus.describe(status))")
    }
}
