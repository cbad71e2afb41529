// bn_mpi.c: the functions of bn_mpi.h over the MPI C API. Each is one MPI call, or a few, with the
// macros (MPI_COMM_WORLD, MPI_DOUBLE, MPI_ERRORS_RETURN) that Swift cannot import.
#include "bn_mpi.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

/// Whether bn_mpi_initialize called MPI_Init_thread: only then does bn_mpi_finalize call MPI_Finalize.
static int initialized_here = 0;

bn_mpi_state bn_mpi_current_state(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (finalized) return BN_MPI_FINALIZED;
    return initialized ? BN_MPI_INITIALIZED : BN_MPI_NOT_INITIALIZED;
}

int bn_mpi_initialize(int *provided) {
    if (bn_mpi_current_state() == BN_MPI_INITIALIZED) {
        return MPI_Query_thread(provided);
    }
    int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
    if (status == MPI_SUCCESS) initialized_here = 1;
    return status;
}

int bn_mpi_initialized_here(void) {
    return initialized_here;
}

int bn_mpi_finalize(int *finalized) {
    *finalized = 0;
    if (!initialized_here || bn_mpi_current_state() != BN_MPI_INITIALIZED) return MPI_SUCCESS;
    int status = MPI_Finalize();
    if (status == MPI_SUCCESS) *finalized = 1;
    return status;
}

int bn_mpi_thread_serialized(void) {
    return MPI_THREAD_SERIALIZED;
}

const char *bn_mpi_thread_level_name(int level) {
    if (level == MPI_THREAD_SINGLE) return "MPI_THREAD_SINGLE";
    if (level == MPI_THREAD_FUNNELED) return "MPI_THREAD_FUNNELED";
    if (level == MPI_THREAD_SERIALIZED) return "MPI_THREAD_SERIALIZED";
    if (level == MPI_THREAD_MULTIPLE) return "MPI_THREAD_MULTIPLE";
    return "unknown";
}

int bn_mpi_comm_world(void) {
    return (int)MPI_Comm_c2f(MPI_COMM_WORLD);
}

int bn_mpi_comm_duplicate(int comm, int *duplicate) {
    MPI_Comm original = MPI_Comm_f2c((MPI_Fint)comm);
    if (original == MPI_COMM_NULL) return MPI_ERR_COMM;
    MPI_Comm copy = MPI_COMM_NULL;
    int status = MPI_Comm_dup(original, &copy);
    if (status != MPI_SUCCESS) return status;
    status = MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN);
    if (status != MPI_SUCCESS) {
        MPI_Comm_free(&copy);
        return status;
    }
    *duplicate = (int)MPI_Comm_c2f(copy);
    return MPI_SUCCESS;
}

int bn_mpi_comm_free(int comm) {
    MPI_Comm handle = MPI_Comm_f2c((MPI_Fint)comm);
    if (handle == MPI_COMM_NULL) return MPI_ERR_COMM;
    return MPI_Comm_free(&handle);
}

int bn_mpi_comm_rank(int comm, int *rank) {
    return MPI_Comm_rank(MPI_Comm_f2c((MPI_Fint)comm), rank);
}

int bn_mpi_comm_size(int comm, int *size) {
    return MPI_Comm_size(MPI_Comm_f2c((MPI_Fint)comm), size);
}

int bn_mpi_allgather_doubles(int comm, const double *values, int count, double *gathered) {
    return MPI_Allgather(values, count, MPI_DOUBLE, gathered, count, MPI_DOUBLE, MPI_Comm_f2c((MPI_Fint)comm));
}

int bn_mpi_abort(int comm, int code) {
    return MPI_Abort(MPI_Comm_f2c((MPI_Fint)comm), code);
}

void bn_mpi_error_string(int code, char *buffer, int capacity) {
    if (capacity <= 0) return;
    if (bn_mpi_current_state() != BN_MPI_INITIALIZED) {
        // MPI_Error_string before MPI_Init aborts the process in Open MPI.
        snprintf(buffer, (size_t)capacity, "MPI is not running (not initialized, or finalized), so it gives no text for this code");
        return;
    }
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
        snprintf(buffer, (size_t)capacity, "MPI knows no text for this code");
        return;
    }
    snprintf(buffer, (size_t)capacity, "%.*s", length, text);
}
