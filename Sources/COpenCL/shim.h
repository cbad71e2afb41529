#define CL_TARGET_OPENCL_VERSION 120 /* the 1.2 API: every driver we target has it, none marks it deprecated */
#include <CL/cl.h>
