// bn_storage.cl: how every kernel sees its operands: the view, the defines, vectors and storage
// types. The host builds each family from the helper files in order (bn_storage.cl, bn_fusion.cl,
// bn_sums.cl, bn_work.cl, bn_moments.cl; the backward family also bn_gradient_sums.cl), then the
// family's own file, so no helper file holds a kernel.
//
// The view: every pass sees x as [outer][features][inner] (the host maps each layout and mode onto
// it); value (o, f, i) lives at (o * features + f) * inner + i and feature f reduces over o and i.
// "Planar" kernels serve inner > 1 (NCHW, spatial mode): a feature's values are `outer` planes of
// `inner` contiguous floats. "Interleaved" kernels serve inner == 1 (NC, NHWC, per-activation): the
// view is [rows][features], and a work-item takes BN_VECTOR_WIDTH neighbouring features.
//
// Work is spelled out in vectors (vloadN/vstoreN) rather than left to a compiler to vectorize across
// work-items: a CPU driver such as PoCL then runs each work-item as SIMD code, and a GPU issues
// wide loads. Planar kernels finish a plane whose length is no multiple of the width one float at a
// time; interleaved kernels are built with a width that divides the feature count.
//
// Defines (from the host; defaults only for standalone compiles):
//   BN_INDEX_T       the integer type of element indices: uint when every index fits in 31 bits
//                    (cheaper on GPUs and wider vectors on CPUs), ulong otherwise. Kernel arguments
//                    are always ulong, so the define never changes an argument list.
//   BN_VECTOR_WIDTH  floats per vector: 1, 2, 4, 8 or 16 (default 4).
//   BN_SPAN          feature vectors an interleaved reduction's work-item takes side by side in
//                    each row: 1, 2, 4, 8 or 16 (default 1); the host makes it divide the row's vectors.
//   BN_STORAGE       how tensors (x, y, dy, dx, z, dz) are stored: 0 float (default), 1 IEEE half,
//                    2 bfloat16. Per-feature arrays and workspaces are always float, and all
//                    arithmetic is float: a 16-bit element is widened as it is loaded (load_t_v) and
//                    rounded to nearest even once as it is stored (store_t_v).
//   BN_FUSED         1 where a call fuses (bn_fusion.cl): the fused operands (z and fuse_relu, the
//                    backward pass's y and dz) are read as given; 0 (default) reads them as absent,
//                    so that the unfused loops carry none of the fused operation.
//   BN_FROM_VARIANCE 1 where a normalization kernel works out 1 / sqrt(variance + epsilon) from
//                    `variance` itself (bn_forward.cl); 0 (default) takes invstd + invstd_lo.
//                    Neither define changes an argument list: the host picks the build from the
//                    operands of the call (KernelCall), and a kernel ignores the operands its
//                    build does not read.
//
// Names: BN_ and capitals are the defines above, and nothing else. Other macros in capitals are
// code or values that are not functions: an argument may be evaluated more than once or assigned
// (AT_OFFSET, TWO_SUM_ERROR, NORMALIZED, WALK), or the macro makes code (BFLOAT16_BITS). Macros in
// lower case stand for a function whose types the build decides (load_v, store_t_v, as_uint_v) and
// evaluate each argument once. A function or stand-in with a vector and a one-float form ends in _v
// and _1 (relu_v, relu_1; load_t_v, load_t_1), so that a step written once for both forms pastes
// its form onto each name (WALK, bn_work.cl); such a pair is written once, as a macro of the form
// made in both (RELU, bn_fusion.cl). Vector types end in v: floatv, uintv, ushortv.
//
// Tensors are `global tensor_t*`: float, or ushort holding the 16 bits. Half goes through vload_half
// and vstore_half_rte, which need no extension (a pointer to ushort is cast to one to half, which
// OpenCL C allows only for those calls); bfloat16 is a float's upper half, widened by a shift and
// rounded by adding 0x7FFF plus the lowest kept bit (a NaN is kept quiet instead).
//
// Buffers: every `global float*` or `global tensor_t*` parameter p of a kernel is followed by `ulong p_offset`, the element
// where the operand starts in its cl_mem (a caller's buffer may hold it at any offset, vector-aligned or
// not: loads and stores are vloadN/vstoreN, which need float alignment only). A kernel's first line
// moves each pointer there with AT_OFFSET, so helpers see the operand at index 0; NULL (an absent
// operand, such as gamma) stays NULL.
//
// Helpers are plain functions, not `inline`: OpenCL C 1.x gives `inline` C99's meaning, under which
// a compiler that declines to inline leaves an unresolved symbol; compilers inline these anyway.

#ifndef BN_INDEX_T
#define BN_INDEX_T ulong
#endif
#ifndef BN_VECTOR_WIDTH
#define BN_VECTOR_WIDTH 4
#endif
#ifndef BN_SPAN
#define BN_SPAN 1
#endif
#ifndef BN_FUSED
#define BN_FUSED 0
#endif
#ifndef BN_FROM_VARIANCE
#define BN_FROM_VARIANCE 0
#endif
// Vectors summed plainly before a compensated step (accumulator_v); not a tuning knob: 8 keeps the
// plain part's error near float rounding and the compensation's cost small.
#define PLAIN_BLOCK 8
// `FOR_SPAN(s) statement` runs the statement for s = 0, 1, ... below BN_SPAN, unrolled: the interleaved
// statistics keep one accumulator per span vector, and they stay in registers only where the loop
// over them is unrolled (PoCL left it rolled and kept them on the stack, a load and a store per vector).
#define FOR_SPAN(s) _Pragma("unroll") for (int s = 0; s < BN_SPAN; ++s)
typedef BN_INDEX_T index_t;

#define AT_OFFSET(pointer) ((pointer) = (pointer) ? (pointer) + pointer##_offset : (pointer))

#define CONCAT_(a, b) a##b
#define CONCAT(a, b) CONCAT_(a, b)
#if BN_VECTOR_WIDTH == 1
typedef float floatv;
#define load_v(pointer) (*(pointer))
#define store_v(value, pointer) (*(pointer) = (value))
#else
typedef CONCAT(float, BN_VECTOR_WIDTH) floatv;
#define load_v(pointer) CONCAT(vload, BN_VECTOR_WIDTH)(0, pointer)
#define store_v(value, pointer) CONCAT(vstore, BN_VECTOR_WIDTH)(value, 0, pointer)
#endif
#define load_1(pointer) (*(pointer))
#define store_1(value, pointer) (*(pointer) = (value))

#ifndef BN_STORAGE
#define BN_STORAGE 0
#endif
#if BN_VECTOR_WIDTH == 1
typedef uint uintv;
typedef ushort ushortv;
#define as_uint_v(value) as_uint(value)
#define as_float_v(value) as_float(value)
#define convert_uint_v(value) convert_uint(value)
#define convert_ushort_v(value) convert_ushort(value)
#define load_bits_v(pointer) (*(pointer))
#define store_bits_v(value, pointer) (*(pointer) = (value))
#define load_half_v(pointer) vload_half(0, pointer)
#define store_half_v(value, pointer) vstore_half_rte(value, 0, pointer)
#else
typedef CONCAT(uint, BN_VECTOR_WIDTH) uintv;
typedef CONCAT(ushort, BN_VECTOR_WIDTH) ushortv;
#define as_uint_v(value) CONCAT(as_uint, BN_VECTOR_WIDTH)(value)
#define as_float_v(value) CONCAT(as_float, BN_VECTOR_WIDTH)(value)
#define convert_uint_v(value) CONCAT(convert_uint, BN_VECTOR_WIDTH)(value)
#define convert_ushort_v(value) CONCAT(convert_ushort, BN_VECTOR_WIDTH)(value)
#define load_bits_v(pointer) CONCAT(vload, BN_VECTOR_WIDTH)(0, pointer)
#define store_bits_v(value, pointer) CONCAT(vstore, BN_VECTOR_WIDTH)(value, 0, pointer)
#define load_half_v(pointer) CONCAT(vload_half, BN_VECTOR_WIDTH)(0, pointer)
#define store_half_v(value, pointer) CONCAT(CONCAT(vstore_half, BN_VECTOR_WIDTH), _rte)(value, 0, pointer)
#endif

#if BN_STORAGE == 0
typedef float tensor_t;
#define load_t_v(pointer) load_v(pointer)
#define store_t_v(value, pointer) store_v(value, pointer)
#define load_t_1(pointer) load_1(pointer)
#define store_t_1(value, pointer) store_1(value, pointer)
#elif BN_STORAGE == 1
typedef ushort tensor_t;
#define load_t_v(pointer) load_half_v((global const half*)(pointer))
#define store_t_v(value, pointer) store_half_v(value, (global half*)(pointer))
#define load_t_1(pointer) vload_half(0, (global const half*)(pointer))
#define store_t_1(value, pointer) vstore_half_rte(value, 0, (global half*)(pointer))
#else
typedef ushort tensor_t;
#define load_t_v(pointer) as_float_v(convert_uint_v(load_bits_v(pointer)) << 16)
#define store_t_v(value, pointer) store_bits_v(bfloat16_bits_v(value), pointer)
#define load_t_1(pointer) as_float((uint)(*(pointer)) << 16)
#define store_t_1(value, pointer) (*(pointer) = bfloat16_bits_1(value))
#endif

// The one-float forms of the conversions bfloat16_bits takes.
#define as_uint_1(value) as_uint(value)
#define convert_ushort_1(value) convert_ushort(value)

// The bfloat16 nearest a float, ties to even, as its 16 bits; a NaN stays a quiet NaN: for a float
// (bfloat16_bits_1) and for every lane of a vector (bfloat16_bits_v).
#define BFLOAT16_BITS(form, type, uint_type, ushort_type) \
    ushort_type bfloat16_bits##form(type value) \
    { \
        const uint_type bits = as_uint##form(value); \
        const uint_type rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16; \
        return convert_ushort##form(select(rounded, (bits >> 16) | 0x40u, isnan(value))); \
    }
BFLOAT16_BITS(_v, floatv, uintv, ushortv)
BFLOAT16_BITS(_1, float, uint, ushort)
