// bn_mpi.h: the MPI calls BatchNormMPI makes, as plain C functions over plain C types.
//
// MPI's handles (MPI_Comm), datatypes (MPI_DOUBLE) and predefined objects (MPI_COMM_WORLD) are
// macros over library-specific types that Swift cannot import. Here a communicator travels as its
// Fortran handle (MPI_Fint, an int in every MPI library), which MPI_Comm_c2f and MPI_Comm_f2c
// convert; an engine passes its own communicator the same way (mpi4py: `comm.py2f()`).
// Every function that calls MPI returns MPI's error code (0 is MPI_SUCCESS). This header includes
// no MPI header, so that a Swift module importing it needs no MPI include path.
#ifndef BN_MPI_H
#define BN_MPI_H

#ifdef __cplusplus
extern "C" {
#endif

/// Where this process's MPI library stands; MPI_Initialized and MPI_Finalized may be asked at any time.
typedef enum {
    BN_MPI_NOT_INITIALIZED = 0,
    BN_MPI_INITIALIZED = 1,
    BN_MPI_FINALIZED = 2,
} bn_mpi_state;

/// Whether MPI is not yet initialized, initialized, or finalized.
bn_mpi_state bn_mpi_current_state(void);

/// Initializes MPI with MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, …) unless it already is,
/// and remembers that this library did, so that only bn_mpi_finalize ends what it started.
/// Serialized: Swift's tasks may resume on any thread, one MPI call at a time.
/// `provided` receives the thread level MPI gives (MPI_Query_thread when someone else initialized).
/// Returns MPI's error code; calling it after MPI was finalized is the caller's error to prevent.
int bn_mpi_initialize(int *provided);

/// Whether bn_mpi_initialize called MPI_Init_thread in this process (1) or found MPI initialized (0).
int bn_mpi_initialized_here(void);

/// MPI_Finalize, only when bn_mpi_initialize initialized MPI and it is not finalized yet; MPI_Finalize
/// is collective over every process. `finalized` receives 1 when it was called, 0 when MPI is left
/// as it was. Returns MPI's error code.
int bn_mpi_finalize(int *finalized);

/// The thread levels, in the order MPI promises (single < funneled < serialized < multiple).
int bn_mpi_thread_serialized(void);
/// The name of a thread level, such as "MPI_THREAD_FUNNELED"; "unknown" for another value.
const char *bn_mpi_thread_level_name(int level);

/// The Fortran handle of MPI_COMM_WORLD.
int bn_mpi_comm_world(void);

/// A private duplicate (MPI_Comm_dup, collective) of the communicator with Fortran handle `comm`,
/// with MPI_ERRORS_RETURN as its error handler, so that collectives on it report errors instead of
/// aborting and never mix with the caller's own messages; the caller's communicator is left as it was.
/// Returns MPI_ERR_COMM for a handle that names no communicator.
int bn_mpi_comm_duplicate(int comm, int *duplicate);

/// MPI_Comm_free of a communicator made by bn_mpi_comm_duplicate.
int bn_mpi_comm_free(int comm);

/// MPI_Comm_rank.
int bn_mpi_comm_rank(int comm, int *rank);

/// MPI_Comm_size.
int bn_mpi_comm_size(int comm, int *size);

/// MPI_Allgather of `count` doubles from every member: `gathered` receives size·count values, the
/// members' in rank order. Every member passes the same count.
int bn_mpi_allgather_doubles(int comm, const double *values, int count, double *gathered);

/// MPI_Abort on the communicator: ends every process of the job with `code`.
int bn_mpi_abort(int comm, int code);

/// Writes MPI_Error_string's text for `code` into `buffer` (NUL-terminated, cut to `capacity`).
/// Before MPI_Init and after MPI_Finalize, when MPI may not be asked (Open MPI aborts), writes a
/// generic text instead.
void bn_mpi_error_string(int code, char *buffer, int capacity);

#ifdef __cplusplus
}
#endif

#endif
