/* MPI's C API. Swift never imports this module: BNMPIShim depends on it for Open MPI's include
   and link flags (pkg-config ompi-c) and wraps the macros Swift cannot import. */
#include <mpi.h>
