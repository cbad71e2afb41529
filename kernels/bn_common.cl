// bn_common.cl: helpers every kernel family shares. The host builds each family as two sources,
// this file first, so nothing here is a kernel.
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
//                    arithmetic is float: a 16-bit element is widened as it is loaded (load_t) and
//                    rounded to nearest even once as it is stored (store_t).
//
// Tensors are `global tensor_t*`: float, or ushort holding the 16 bits. Half goes through vload_half
// and vstore_half_rte, which need no extension (a pointer to ushort is cast to one to half, which
// OpenCL C allows only for those calls); bfloat16 is a float's upper half, widened by a shift and
// rounded by adding 0x7FFF plus the lowest kept bit (a NaN is kept quiet instead).
//
// Buffers: every `global float*` or `global tensor_t*` parameter p of a kernel is followed by `ulong p_offset`, the element
// where the operand starts in its cl_mem (a caller's buffer may hold it at any offset, vector-aligned or
// not: loads and stores are vloadN/vstoreN, which need float alignment only). A kernel's first line
// moves each pointer there with BN_AT, so helpers see the operand at index 0; NULL (an absent
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
// Vectors summed plainly before a compensated step (accumulator_v); not a tuning knob: 8 keeps the
// plain part's error near float rounding and the compensation's cost small.
#define BN_BLOCK 8
typedef BN_INDEX_T index_t;

#define BN_AT(pointer) ((pointer) = (pointer) ? (pointer) + pointer##_offset : (pointer))

#define BN_CONCAT_(a, b) a##b
#define BN_CONCAT(a, b) BN_CONCAT_(a, b)
#if BN_VECTOR_WIDTH == 1
typedef float floatv;
#define load_v(pointer) (*(pointer))
#define store_v(value, pointer) (*(pointer) = (value))
#else
typedef BN_CONCAT(float, BN_VECTOR_WIDTH) floatv;
#define load_v(pointer) BN_CONCAT(vload, BN_VECTOR_WIDTH)(0, pointer)
#define store_v(value, pointer) BN_CONCAT(vstore, BN_VECTOR_WIDTH)(value, 0, pointer)
#endif

#ifndef BN_STORAGE
#define BN_STORAGE 0
#endif
#if BN_VECTOR_WIDTH == 1
typedef uint uintv;
typedef ushort ushortv;
#define as_uintv(value) as_uint(value)
#define as_floatv(value) as_float(value)
#define convert_uintv(value) convert_uint(value)
#define convert_ushortv(value) convert_ushort(value)
#define vload_t16(pointer) (*(pointer))
#define vstore_t16(value, pointer) (*(pointer) = (value))
#define vload_halfv(pointer) vload_half(0, pointer)
#define vstore_halfv(value, pointer) vstore_half_rte(value, 0, pointer)
#else
typedef BN_CONCAT(uint, BN_VECTOR_WIDTH) uintv;
typedef BN_CONCAT(ushort, BN_VECTOR_WIDTH) ushortv;
#define as_uintv(value) BN_CONCAT(as_uint, BN_VECTOR_WIDTH)(value)
#define as_floatv(value) BN_CONCAT(as_float, BN_VECTOR_WIDTH)(value)
#define convert_uintv(value) BN_CONCAT(convert_uint, BN_VECTOR_WIDTH)(value)
#define convert_ushortv(value) BN_CONCAT(convert_ushort, BN_VECTOR_WIDTH)(value)
#define vload_t16(pointer) BN_CONCAT(vload, BN_VECTOR_WIDTH)(0, pointer)
#define vstore_t16(value, pointer) BN_CONCAT(vstore, BN_VECTOR_WIDTH)(value, 0, pointer)
#define vload_halfv(pointer) BN_CONCAT(vload_half, BN_VECTOR_WIDTH)(0, pointer)
#define vstore_halfv(value, pointer) BN_CONCAT(BN_CONCAT(vstore_half, BN_VECTOR_WIDTH), _rte)(value, 0, pointer)
#endif

#if BN_STORAGE == 0
typedef float tensor_t;
#define load_t(pointer) load_v(pointer)
#define store_t(value, pointer) store_v(value, pointer)
#define load_t1(pointer) (*(pointer))
#define store_t1(value, pointer) (*(pointer) = (value))
#elif BN_STORAGE == 1
typedef ushort tensor_t;
#define load_t(pointer) vload_halfv((global const half*)(pointer))
#define store_t(value, pointer) vstore_halfv(value, (global half*)(pointer))
#define load_t1(pointer) vload_half(0, (global const half*)(pointer))
#define store_t1(value, pointer) vstore_half_rte(value, 0, (global half*)(pointer))
#else
typedef ushort tensor_t;
#define load_t(pointer) as_floatv(convert_uintv(vload_t16(pointer)) << 16)
#define store_t(value, pointer) vstore_t16(bfloat16_bits_v(value), pointer)
#define load_t1(pointer) as_float((uint)(*(pointer)) << 16)
#define store_t1(value, pointer) (*(pointer) = bfloat16_bits(value))
#endif

// The bfloat16 nearest a float, ties to even, as its 16 bits; a NaN stays a quiet NaN.
ushort bfloat16_bits(float value)
{
    const uint bits = as_uint(value);
    return isnan(value) ? (ushort)((bits >> 16) | 0x40u) : (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

// bfloat16_bits for every lane of a vector.
ushortv bfloat16_bits_v(floatv value)
{
    const uintv bits = as_uintv(value);
    const uintv rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
    return convert_ushortv(select(rounded, (bits >> 16) | 0x40u, isnan(value)));
}

// relu(v) = v < 0 ? 0 : v: a NaN passes, as PyTorch's relu passes it.
float relu(float value)
{
    return value < 0.0f ? 0.0f : value;
}

// relu for every lane of a vector.
floatv relu_v(floatv value)
{
    return select(value, (floatv)(0.0f), value < (floatv)(0.0f));
}

// The gradient behind a relu whose output was `output`: 0 where output <= 0, else the gradient (so a
// NaN output passes it, as PyTorch's threshold_backward does).
float relu_masked(float gradient, float output)
{
    return output <= 0.0f ? 0.0f : gradient;
}

// relu_masked for every lane of a vector.
floatv relu_masked_v(floatv gradient, floatv output)
{
    return select(gradient, (floatv)(0.0f), output <= (floatv)(0.0f));
}

// Fused operations and loops: a kernel that may fuse calls its loop through a helper twice, once with
// the fused operands (z, fuse_relu, the backward pass's y and dz) as given and once with them as the
// constants 0, choosing by a branch taken once. The compiler inlines the helper and drops the fused
// operation's branches from the constant copy, so an unfused pass runs the loop it ran before fusion
// existed (with the branches inside, PoCL's unfused normalization ran 10 % slower).

// Kahan-compensated accumulation: *sum - *compensation carries the running total to about twice
// float precision, so a long sequential sum does not lose the small terms. The compiler may not
// reassociate these operations (no -cl-fast-relaxed-math is ever passed).
void compensated_add(float* sum, float* compensation, float value)
{
    const float corrected = value - *compensation;
    const float total = *sum + corrected;
    *compensation = (total - *sum) - corrected;
    *sum = total;
}

// compensated_add for every lane of a vector at once.
void compensated_add_v(floatv* sum, floatv* compensation, floatv value)
{
    const floatv corrected = value - *compensation;
    const floatv total = *sum + corrected;
    *compensation = (total - *sum) - corrected;
    *sum = total;
}

// A sum of vectors in two levels: BN_BLOCK values added plainly into `block`, then the block added
// into `sum` compensated. The error is that of a BN_BLOCK-term sum plus a compensated one, about
// what compensating every term gives, for a quarter of the work per value.
typedef struct {
    floatv sum;
    floatv compensation;
    floatv block;
    int filled;
} accumulator_v;

accumulator_v accumulator_v_zero(void)
{
    accumulator_v zero = { (floatv)(0.0f), (floatv)(0.0f), (floatv)(0.0f), 0 };
    return zero;
}

void accumulator_v_add(accumulator_v* accumulator, floatv value)
{
    accumulator->block += value;
    if (++accumulator->filled == BN_BLOCK) {
        compensated_add_v(&accumulator->sum, &accumulator->compensation, accumulator->block);
        accumulator->block = (floatv)(0.0f);
        accumulator->filled = 0;
    }
}

// The accumulated lanes, each as one compensated sum.
floatv accumulator_v_lanes(accumulator_v accumulator)
{
    compensated_add_v(&accumulator.sum, &accumulator.compensation, accumulator.block);
    return accumulator.sum - accumulator.compensation;
}

// The total of an accumulator's lanes and one compensated scalar sum, added lane by lane in lane
// order, compensated.
float lanes_total(accumulator_v accumulator, float scalar_sum, float scalar_compensation)
{
    float lanes[BN_VECTOR_WIDTH];
    store_v(accumulator_v_lanes(accumulator), lanes);
    float total = scalar_sum, total_compensation = scalar_compensation;
    for (int lane = 0; lane < BN_VECTOR_WIDTH; ++lane) {
        compensated_add(&total, &total_compensation, lanes[lane]);
    }
    return total - total_compensation;
}

// The sum of `value` over `count` work-items (a power of two) whose slots are slots[0 ..< count], by a
// tree in a fixed order, returned to each of them; `at` is the caller's slot. Every work-item of the
// group calls it (it holds barriers).
float tree_total(local float* slots, uint at, uint count, float value)
{
    slots[at] = value;
    for (uint span = count / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (at < span) {
            slots[at] += slots[at + span];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float total = slots[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// The sum of `value` over the whole group (dimensions 0 and 1, each a power of two), returned to
// every work-item; scratch holds get_local_size(0) * get_local_size(1) floats and may be reused after.
float group_total(local float* scratch, float value)
{
    const uint at = get_local_id(1) * get_local_size(0) + get_local_id(0);
    return tree_total(scratch, at, get_local_size(0) * get_local_size(1), value);
}

// The sum of `value` over each row of the group (its work-items along dimension 0), returned to the
// row's work-items; scratch as group_total's.
float row_total(local float* scratch, float value)
{
    return tree_total(scratch + get_local_id(1) * get_local_size(0), get_local_id(0), get_local_size(0), value);
}

// The sum of a vector over the work-items of the group along dimension 1 (a power-of-two count of
// row lanes), by a tree in a fixed order, returned to each of them: each position along dimension 0
// sums its own. Every work-item of the group calls it (it holds barriers); scratch holds
// get_local_size(0) * get_local_size(1) * BN_VECTOR_WIDTH floats and may be reused after return.
floatv lane_total_v(local float* scratch, floatv value)
{
    const uint lane = get_local_id(1), width = get_local_size(0);
    local float* mine = scratch + (lane * width + get_local_id(0)) * BN_VECTOR_WIDTH;
    store_v(value, mine);
    for (uint span = get_local_size(1) / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lane < span) {
            store_v(load_v(mine) + load_v(mine + span * width * BN_VECTOR_WIDTH), mine);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const floatv total = load_v(scratch + get_local_id(0) * BN_VECTOR_WIDTH);
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// The block of planes (planar elementwise kernels) or rows (interleaved ones) a work-group takes:
// [*first, *end) of the `count` there are, `length` at a time, the block's number coming from the
// group's place in dimensions 1 and 2 of the range, as rows x layers, so that neither holds more than
// the 65535 work-groups some drivers allow there. A block past the end is empty. The group's lanes
// (its work-items along dimension 1) split the block: lane p takes units first + p, first + p + lanes,
// ... (lane_units); a group of one lane takes them all.
void block_of_work_item(index_t count, index_t length, index_t* first, index_t* end)
{
    *first = (get_group_id(2) * get_num_groups(1) + get_group_id(1)) * length;
    *end = min(count, *first + length);
}

// The exact rounding error of s = a + b (Knuth's TwoSum): a + b == s + TWO_SUM_ERROR(a, b, s), for
// floats and vectors alike; a and b must be plain values (each appears more than once).
#define TWO_SUM_ERROR(a, b, s) (((a) - ((s) - ((s) - (a)))) + ((b) - ((s) - (a))))

// TWO_SUM_ERROR for floats, whose arguments may be expressions.
float two_sum_error(float a, float b, float s)
{
    return TWO_SUM_ERROR(a, b, s);
}

// 1 / sqrt(value + epsilon) to about twice float precision, as hi + lo: the float estimate and one
// Newton step, r + r * (1 - v * r^2) / 2, with v = value + epsilon and r^2 kept exact (TwoSum, fma).
// The normalization scales by hi + lo, so that y carries the rounding of y alone.
// INVERSE_SQRT_SPLIT spells it for floats and vectors alike: `type` is float or floatv, `value` a
// plain value of that type, and hi and lo the variables that receive the parts.
#define INVERSE_SQRT_SPLIT(type, value, epsilon, hi, lo) \
    do { \
        const type v_ = (value) + (epsilon), v_lo_ = TWO_SUM_ERROR((value), (type)(epsilon), v_); \
        const type r_ = 1.0f / sqrt(v_); \
        const type r2_ = r_ * r_, r2_lo_ = fma(r_, r_, -r2_); \
        const type e_ = fma(-v_, r2_, (type)(1.0f)) - fma(v_, r2_lo_, v_lo_ * r2_); \
        const type correction_ = 0.5f * r_ * e_; \
        (hi) = r_ + correction_; \
        (lo) = correction_ - ((hi) - r_); \
    } while (0)

float2 inverse_sqrt_split(float value, float epsilon)
{
    float hi, lo;
    INVERSE_SQRT_SPLIT(float, value, epsilon, hi, lo);
    return (float2)(hi, lo);
}

// The low part of gamma * (invstd + invstd_lo) when its high part is scale = gamma * invstd: the
// product's rounding error, exact by fma, and gamma * invstd_lo. For floats and vectors alike
// (arguments appear more than once: pass values, all of one type).
#define SCALE_LO(gamma, invstd, invstd_lo, scale) (fma((gamma), (invstd), -(scale)) + (gamma) * (invstd_lo))

// gamma * (invstd + invstd_lo) as scale + scale_lo.
float2 scale_split(float gamma, float invstd, float invstd_lo)
{
    const float scale = gamma * invstd;
    return (float2)(scale, SCALE_LO(gamma, invstd, invstd_lo, scale));
}

// A feature's moments in shifted form: the values x_i (count of them) satisfy
// sum (x_i - center) == residual and sum (x_i - center)^2 == squares. Any center near the values
// keeps both sums free of cancellation; chunks with different centers merge exactly in form.
typedef struct {
    float center;
    float residual;
    float squares;
} moments;

// Adds a chunk's moments, re-centred on `reference` (the first chunk's center), to running
// compensated totals of the residual and the squares: with e = center - reference,
// sum (x - reference) = residual + count * e and sum (x - reference)^2 = squares + 2 e residual + count e^2.
void moments_accumulate(moments chunk, float count, float reference,
                        float* residual, float* residual_compensation, float* squares, float* squares_compensation)
{
    const float e = chunk.center - reference;
    compensated_add(residual, residual_compensation, fma(count, e, chunk.residual));
    compensated_add(squares, squares_compensation, chunk.squares + e * fma(count, e, 2.0f * chunk.residual));
}

// Finishes feature f's statistics from its moments over all `count` values: mean[f] + mean_lo[f]
// is the mean to about twice float precision (the low part keeps deviations exact when the mean is
// far larger than the spread); invstd[f] + invstd_lo[f] = 1 / sqrt(biased variance + epsilon), the
// same way (inverse_sqrt_split); when running_mean is given, running = keep * running + take * batch,
// with the batch variance squares / variance_divisor.
void store_feature_statistics(
    index_t f, moments total, float count, float epsilon, float keep, float take, float variance_divisor,
    global float* mean, global float* mean_lo, global float* invstd, global float* invstd_lo,
    global float* running_mean, global float* running_variance)
{
    // the quotient and its remainder: residual / count == q + q_lo to about twice float precision
    const float q = total.residual / count;
    const float q_lo = fma(-q, count, total.residual) / count;
    const float hi = total.center + q;
    const float lo = two_sum_error(total.center, q, hi) + q_lo;
    const float nearest = hi + lo;
    // squares about the mean: sum (x - center)^2 - residual^2 / count, never below zero; a NaN
    // stays NaN (fmax would turn it into 0), so that a NaN in x reaches invstd and the running variance
    const float difference = total.squares - total.residual * q;
    const float squares = difference < 0.0f ? 0.0f : difference;
    mean[f] = nearest;
    mean_lo[f] = lo - (nearest - hi);
    const float2 inverse = inverse_sqrt_split(squares / count, epsilon);
    invstd[f] = inverse.x;
    invstd_lo[f] = inverse.y;
    if (running_mean != 0) {
        running_mean[f] = keep * running_mean[f] + take * (hi + lo);
        running_variance[f] = keep * running_variance[f] + take * (squares / variance_divisor);
    }
}

// Feature f's moments over planes [first_plane, end_plane) of the planar view, read twice: once for
// a center (the chunk's mean, about, from sums shifted by its first value), once for the residual
// and the squares about that center, compensated. The second read finds the chunk in cache when it
// fits. The group's work-items along dimension 0 split each plane's vectors, its lanes along
// dimension 1 the planes (lane p takes first_plane + p, first_plane + p + lanes, ...), so that a GPU
// fills a group when planes are short. Every work-item of the group calls it (it holds barriers) and
// gets the group's moments; scratch holds get_local_size(0) * get_local_size(1) floats.
moments planar_moments(global const tensor_t* x, index_t f, index_t features, index_t inner,
                       index_t first_plane, index_t end_plane, local float* scratch)
{
    const uint lid = get_local_id(0), size = get_local_size(0);
    const index_t vectors = inner / BN_VECTOR_WIDTH, tail = vectors * BN_VECTOR_WIDTH;
    const float k = load_t1(x + (first_plane * features + f) * inner);
    const index_t lane = get_local_id(1), lanes = get_local_size(1);
    accumulator_v shifted_v = accumulator_v_zero();
    float shifted = 0.0f;
    for (index_t o = first_plane + lane; o < end_plane; o += lanes) {
        global const tensor_t* plane = x + (o * features + f) * inner;
        for (index_t v = lid; v < vectors; v += size) {
            accumulator_v_add(&shifted_v, load_t(plane + v * BN_VECTOR_WIDTH) - k);
        }
        for (index_t i = tail + lid; i < inner; i += size) {
            shifted += load_t1(plane + i) - k;
        }
    }
    const float count = (float)((end_plane - first_plane) * inner);
    const float center = k + group_total(scratch, lanes_total(shifted_v, shifted, 0.0f)) / count;

    accumulator_v residual_v = accumulator_v_zero(), squares_v = accumulator_v_zero();
    float residual = 0.0f, residual_c = 0.0f, squares = 0.0f, squares_c = 0.0f;
    for (index_t o = first_plane + lane; o < end_plane; o += lanes) {
        global const tensor_t* plane = x + (o * features + f) * inner;
        for (index_t v = lid; v < vectors; v += size) {
            const floatv d = load_t(plane + v * BN_VECTOR_WIDTH) - center;
            accumulator_v_add(&residual_v, d);
            accumulator_v_add(&squares_v, d * d);
        }
        for (index_t i = tail + lid; i < inner; i += size) {
            const float d = load_t1(plane + i) - center;
            compensated_add(&residual, &residual_c, d);
            compensated_add(&squares, &squares_c, d * d);
        }
    }
    moments result;
    result.center = center;
    result.residual = group_total(scratch, lanes_total(residual_v, residual, residual_c));
    result.squares = group_total(scratch, lanes_total(squares_v, squares, squares_c));
    return result;
}

// Which feature a merge kernel's row of lanes takes (bn_statistics.cl, the merge kernels): rows of
// dimension 1 within a group, groups of dimensions 1 and 2 as rows x layers. May be past the last feature.
index_t merge_feature(void)
{
    return (get_group_id(2) * get_num_groups(1) + get_group_id(1)) * get_local_size(1) + get_local_id(1);
}

// Which feature a planar reduction work-group takes: group dimensions 1 and 2, as rows x layers.
// The range may cover more features than there are; such groups return whole.
index_t planar_feature_of_group(void)
{
    return get_group_id(2) * get_num_groups(1) + get_group_id(1);
}
