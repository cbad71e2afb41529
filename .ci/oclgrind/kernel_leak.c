// Oclgrind 21.10 leaks when it cannot make a kernel: its optimizer turns `a > b ? a - b : 0` into
// llvm.usub.sat.i32, which its interpreter does not know ("Undefined external function"), so
// clCreateKernel fails with CL_INVALID_KERNEL_NAME, and what InterpreterCache::addConstant had
// allocated before the failure is never freed. No project code: the kernel is the two lines below
// (constants first, then the saturating subtraction).
//
//   g++ -x c -fsanitize=address -g -c .ci/oclgrind/kernel_leak.c -o /tmp/kernel_leak.o
//   g++ -fsanitize=address -o /tmp/kernel_leak /tmp/kernel_leak.o -lOpenCL
//   OCL_ICD_VENDORS=/etc/OpenCL/vendors/oclgrind.icd /tmp/kernel_leak
//
// prints "clCreateKernel: -46", then LeakSanitizer's report of allocations from
// oclgrind::InterpreterCache::addConstant. With OCLGRIND_BUILD_OPTIONS=-cl-opt-disable the kernel is
// made, and nothing leaks. The library meets this when `.auto` tries Oclgrind listed first and skips
// it (BNGPU's device choice); the test suite's child processes then end with this report.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>

static const char *source =
    "kernel void saturating(global float* out, uint a, uint b)\n"
    "{ out[0] = 0.5f * out[1] + 0.25f; out[2] = (float)(a > b ? a - b : 0); }\n";

int main(void) {
    cl_platform_id platform;
    cl_device_id device;
    cl_int status;
    if (clGetPlatformIDs(1, &platform, NULL) != CL_SUCCESS ||
        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL) != CL_SUCCESS) {
        fprintf(stderr, "no OpenCL device\n");
        return 2;
    }
    cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &status);
    cl_program program = clCreateProgramWithSource(context, 1, &source, NULL, &status);
    status = clBuildProgram(program, 1, &device, "", NULL, NULL);
    printf("clBuildProgram: %d\n", status);
    cl_kernel kernel = clCreateKernel(program, "saturating", &status);
    printf("clCreateKernel: %d\n", status);
    if (kernel) clReleaseKernel(kernel);
    clReleaseProgram(program);
    clReleaseContext(context);
    return 0;
}
