// Oclgrind 21.10 defects in its uninitialized-value checker (OCLGRIND_UNINITIALIZED=1), shown with
// no project code. Each scenario writes every float a kernel then reads, yet Oclgrind reports the
// reads, because the checker's shadow state (which bytes are defined) goes wrong:
//   reuse:  a buffer is released and a larger one created; Oclgrind hands the new buffer the
//           released one's number, and the checker, which never drops a released buffer's shadow,
//           keeps the old, shorter one, so the new buffer's bytes past the old size read as
//           undefined however they were written.
//   offset: the host writes a region at a non-zero offset of a buffer (clEnqueueWriteBuffer with
//           offset > 0); the checker replaces the whole buffer's shadow by one as long as the
//           region, starting at offset 0, and drops the write's own shadow, so the region reads as
//           undefined.
//   prefix: the host writes the first k floats of a larger buffer that a kernel had filled; the
//           buffer's shadow shrinks to k floats, and the kernel's values past them read as undefined.
//   thread: a host write from a thread other than the one that made the context crashes Oclgrind
//           (SIGSEGV in MemoryPool::alloc under Uninitialized::hostMemoryStore): the checker's memory
//           pool is thread-local and made only on the context's thread.
//   cc -O1 -pthread shadow_state.c -lOpenCL -o shadow_state
//   OCL_ICD_VENDORS=.ci/oclgrind/oclgrind.icd OCLGRIND_UNINITIALIZED=1 ./shadow_state reuse
//   (and offset, prefix): each prints Oclgrind's "Uninitialized value" reports; `control` prints none.
// The results are right in every scenario but thread (the program checks them): only the report
// is wrong. Without OCLGRIND_UNINITIALIZED=1 every scenario runs clean.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *source =
    "kernel void fill(global float* x, float v) { x[get_global_id(0)] = v; }\n"
    "kernel void copy(global const float* x, global float* y) {\n"
    "    size_t i = get_global_id(0);\n"
    "    if (x[i] != 0.0f) y[i] = x[i]; else y[i] = 1.0f;\n" // control flow on x: reported if x is undefined
    "}\n";

static cl_context context;
static cl_command_queue queue;
static cl_kernel fill, copy;

static cl_mem buffer(size_t floats) {
    cl_int status;
    cl_mem memory = clCreateBuffer(context, CL_MEM_READ_WRITE, floats * sizeof(float), NULL, &status);
    if (status != CL_SUCCESS) fprintf(stderr, "clCreateBuffer: %d\n", status);
    return memory;
}

static void run_fill(cl_mem x, size_t floats, float value) {
    clSetKernelArg(fill, 0, sizeof(cl_mem), &x);
    clSetKernelArg(fill, 1, sizeof(float), &value);
    clEnqueueNDRangeKernel(queue, fill, 1, NULL, &floats, NULL, 0, NULL, NULL);
}

// Copies the first `floats` of x to a new buffer and checks each is `expected`.
static int run_copy(cl_mem x, size_t floats, float expected) {
    cl_mem y = buffer(floats);
    clSetKernelArg(copy, 0, sizeof(cl_mem), &x);
    clSetKernelArg(copy, 1, sizeof(cl_mem), &y);
    clEnqueueNDRangeKernel(queue, copy, 1, NULL, &floats, NULL, 0, NULL, NULL);
    float values[1024];
    clEnqueueReadBuffer(queue, y, CL_TRUE, 0, floats * sizeof(float), values, 0, NULL, NULL);
    clReleaseMemObject(y);
    for (size_t i = 0; i < floats; ++i)
        if (values[i] != expected) { fprintf(stderr, "y[%zu] = %g, not %g\n", i, values[i], expected); return 1; }
    return 0;
}

static cl_mem shared;
static float host[1024];

static void *write_from_another_thread(void *unused) {
    (void)unused;
    clEnqueueWriteBuffer(queue, shared, CL_TRUE, 0, 1024 * sizeof(float), host, 0, NULL, NULL);
    return NULL;
}

int main(int argc, char **argv) {
    const char *scenario = argc > 1 ? argv[1] : "control";
    cl_platform_id platform;
    cl_device_id device;
    cl_int status = clGetPlatformIDs(1, &platform, NULL);
    if (status != CL_SUCCESS) { fprintf(stderr, "no platform: %d\n", status); return 2; }
    clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL);
    context = clCreateContext(NULL, 1, &device, NULL, NULL, &status);
    queue = clCreateCommandQueue(context, device, 0, &status);
    cl_program program = clCreateProgramWithSource(context, 1, &source, NULL, &status);
    if (clBuildProgram(program, 1, &device, "", NULL, NULL) != CL_SUCCESS) { fprintf(stderr, "build failed\n"); return 2; }
    fill = clCreateKernel(program, "fill", &status);
    copy = clCreateKernel(program, "copy", &status);

    for (int i = 0; i < 1024; ++i) host[i] = 3.0f;
    int failed = 0;
    if (strcmp(scenario, "reuse") == 0) {
        cl_mem small = buffer(16);
        run_fill(small, 16, 2.0f);
        failed |= run_copy(small, 16, 2.0f);
        clReleaseMemObject(small);
        cl_mem large = buffer(1024); // takes the released buffer's number
        run_fill(large, 1024, 2.0f); // every float defined ...
        failed |= run_copy(large, 1024, 2.0f); // ... yet floats 16 and on are reported
    } else if (strcmp(scenario, "offset") == 0) {
        cl_mem x = buffer(1024);
        run_fill(x, 1024, 2.0f); // every float defined
        clEnqueueWriteBuffer(queue, x, CL_TRUE, 256 * sizeof(float), 256 * sizeof(float), host, 0, NULL, NULL);
        failed |= run_copy(x, 256, 2.0f); // floats 0..255, the kernel's: reported (garbage shadow)
    } else if (strcmp(scenario, "prefix") == 0) {
        cl_mem x = buffer(1024);
        run_fill(x, 1024, 3.0f); // every float defined
        clEnqueueWriteBuffer(queue, x, CL_TRUE, 0, 16 * sizeof(float), host, 0, NULL, NULL);
        failed |= run_copy(x, 1024, 3.0f); // floats 16 and on, the kernel's: reported
    } else if (strcmp(scenario, "thread") == 0) {
        shared = buffer(1024);
        pthread_t thread;
        pthread_create(&thread, NULL, write_from_another_thread, NULL); // crashes here
        pthread_join(thread, NULL);
        failed |= run_copy(shared, 1024, 3.0f);
    } else {
        cl_mem x = buffer(1024);
        run_fill(x, 1024, 2.0f);
        failed |= run_copy(x, 1024, 2.0f);
    }
    clFinish(queue);
    printf("%s: results %s\n", scenario, failed ? "WRONG" : "right");
    return failed;
}
