import BNCore
import BNSynchronized
import BNMPIShim

/// A ``StatisticsCommunicator`` over MPI: one member per process of an MPI job, so that processes on
/// one machine or many train on parts of one batch with ``SynchronizedBatchNorm``.
///
/// Start the processes with `mpirun -np R program` (add `--hostfile hosts` for several machines):
/// MPI does the networking. Make one communicator per process, on every process, and run the same
/// passes in the same order on all of them; when one process fails, ``abort(exitCode:)`` ends them all.
///
/// The communicator works on a private duplicate of MPI_COMM_WORLD or of the engine's communicator
/// (MPI_Comm_dup, with MPI_ERRORS_RETURN), so its collectives never mix with the engine's messages
/// and every MPI error arrives as ``BatchNormError/communicatorFailed(operation:detail:)``. Both
/// collectives are built on MPI_Allgather and combine in rank order, so that every member gets the
/// same bits; MPI_Allreduce does not promise that. A collective blocks the calling thread until
/// every member has joined, as MPI does.
public struct MPICommunicator: StatisticsCommunicator {
    public let rank: Int
    public let size: Int
    /// The private duplicate the collectives run on.
    let handle: CommunicatorHandle

    /// Joins the group of every process of the job (MPI_COMM_WORLD) or of an engine's communicator;
    /// collective over the group's members.
    ///
    /// When MPI is not initialized yet, this initializes it with `MPI_Init_thread` at
    /// MPI_THREAD_SERIALIZED, since Swift's tasks may resume on any thread, and ``finalize()`` ends
    /// it later. When the engine initialized MPI, it keeps that role and must have asked for
    /// MPI_THREAD_SERIALIZED or MPI_THREAD_MULTIPLE.
    /// - Parameter fortranHandle: The engine's communicator as `MPI_Comm_c2f` gives it (mpi4py:
    ///   `comm.py2f()`), or nil for MPI_COMM_WORLD.
    /// - Throws: ``BatchNormError/communicatorFailed(operation:detail:)`` when MPI was finalized,
    ///   a handle is given before MPI is initialized, the thread level is too low, or MPI fails.
    public init(fortranHandle: Int32? = nil) throws {
        switch bn_mpi_current_state() {
        case BN_MPI_FINALIZED:
            throw BatchNormError.communicatorFailed(operation: "MPI_Init_thread", detail: "MPI was finalized in this process and cannot start again; make every MPICommunicator before MPICommunicator.finalize()")
        case BN_MPI_NOT_INITIALIZED where fortranHandle != nil:
            throw BatchNormError.communicatorFailed(operation: "MPI_Comm_f2c", detail: "MPI is not initialized, so handle \(fortranHandle!) names no communicator; pass the engine's handle after it initialized MPI, or none for MPI_COMM_WORLD")
        default:
            break
        }
        var provided: CInt = 0
        try MPIStatus.check(bn_mpi_initialize(&provided), "MPI_Init_thread")
        try Self.checkThreadLevel(provided)
        handle = try CommunicatorHandle(duplicating: fortranHandle ?? bn_mpi_comm_world())
        var rank: CInt = 0, size: CInt = 0
        try MPIStatus.check(bn_mpi_comm_rank(handle.fortranHandle, &rank), "MPI_Comm_rank")
        try MPIStatus.check(bn_mpi_comm_size(handle.fortranHandle, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Throws unless MPI lets any thread call it, one call at a time.
    private static func checkThreadLevel(_ provided: CInt) throws {
        let needed = bn_mpi_thread_serialized()
        guard provided < needed else { return }
        let name = String(cString: bn_mpi_thread_level_name(provided))
        let remedy = bn_mpi_initialized_here() != 0
            ? "this MPI library was built without thread support; install one that has it (Open MPI: ompi_info | grep -i thread)"
            : "initialize MPI in the engine with MPI_Init_thread and MPI_THREAD_SERIALIZED or MPI_THREAD_MULTIPLE"
        throw BatchNormError.communicatorFailed(operation: "MPI_Init_thread", detail: "MPI provides \(name), but Swift tasks may call MPI from any thread, which needs MPI_THREAD_SERIALIZED; \(remedy)")
    }
}
