// Oclgrind 21.10 defect, shown with no project code: two threads that each build their own program
// in one context at the same time crash inside Oclgrind's embedded clang (SIGSEGV in
// llvm::Value::setMetadata, under clang::CodeGen::CGDebugInfo::emitFunctionStart). OpenCL 1.2 makes
// clBuildProgram thread-safe, and PoCL runs this program without fault.
//   cc -O1 -pthread concurrent_build.c -lOpenCL -o concurrent_build
//   OCL_ICD_VENDORS=.ci/oclgrind/oclgrind.icd ./concurrent_build   # segfaults within a few rounds
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <pthread.h>
#include <stdio.h>

static const char *source =
    "float twice(float v) { return v + v; }\n"
    "kernel void k(global float* x) { size_t i = get_global_id(0); x[i] = twice(x[i]) + 1.0f; }\n";

static cl_context context;
static cl_device_id device;

static void *build(void *unused) {
    (void)unused;
    for (int round = 0; round < 20; ++round) {
        cl_int status;
        cl_program program = clCreateProgramWithSource(context, 1, &source, NULL, &status);
        if (status != CL_SUCCESS) { fprintf(stderr, "clCreateProgramWithSource: %d\n", status); return NULL; }
        status = clBuildProgram(program, 1, &device, "", NULL, NULL);
        if (status != CL_SUCCESS) fprintf(stderr, "clBuildProgram: %d\n", status);
        clReleaseProgram(program);
    }
    return NULL;
}

int main(void) {
    cl_platform_id platform;
    cl_int status = clGetPlatformIDs(1, &platform, NULL);
    if (status != CL_SUCCESS) { fprintf(stderr, "no platform: %d\n", status); return 2; }
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL);
    context = clCreateContext(NULL, 1, &device, NULL, NULL, &status);
    if (status != CL_SUCCESS) { fprintf(stderr, "clCreateContext: %d\n", status); return 2; }
    pthread_t threads[4];
    for (int i = 0; i < 4; ++i) pthread_create(&threads[i], NULL, build, NULL);
    for (int i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
    clReleaseContext(context);
    puts("80 builds on 4 threads: no fault");
    return 0;
}
