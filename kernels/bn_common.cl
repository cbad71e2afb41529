// bn_common.cl: helpers every kernel family shares. The host builds each family as two sources,
// this file first, so nothing here is a kernel.
//
// The view: every pass sees x as [outer][features][inner] (the host maps each layout and mode onto
// it); value (o, f, i) lives at (o * features + f) * inner + i and feature f reduces over o and i.
// "Planar" kernels serve inner > 1 (NCHW, spatial mode): a feature's values are runs of `inner`
// contiguous floats. "Interleaved" kernels serve inner == 1 (NC, NHWC, per-activation): the
// features of one row are contiguous, and neighbouring work-items take neighbouring features.
//
// Defines (from the host; defaults only for standalone compiles):
//   BN_INDEX_T  the integer type of element indices: uint when every index fits in 31 bits
//               (cheaper on GPUs and wider vectors on CPUs), ulong otherwise. Kernel arguments are
//               always ulong, so the define never changes an argument list.
//   BN_CHECK_RANGE  1 when a planar range covers more planes or features than there are (they
//               exceed what two range dimensions of 65535 work-groups hold exactly), so kernels
//               skip the excess; 0, the default, when the range is exact. The check is a variant,
//               not always on, because a bounds test on the plane stops PoCL from vectorizing the
//               normalization (measured 1.4x slower on 32x64x112x112 NCHW inference).
//
// Helpers are plain functions, not `inline`: OpenCL C 1.x gives `inline` C99's meaning, under which
// a compiler that declines to inline leaves an unresolved symbol; compilers inline these anyway.

#ifndef BN_INDEX_T
#define BN_INDEX_T ulong
#endif
#ifndef BN_CHECK_RANGE
#define BN_CHECK_RANGE 0
#endif
typedef BN_INDEX_T index_t;

// Kahan-compensated accumulation: *sum + *compensation carries the running total to about twice
// float precision, so a work-item's long sequential sum does not lose the small terms. The
// compiler may not reassociate these operations (no -cl-fast-relaxed-math is ever passed).
void compensated_add(float* sum, float* compensation, float value)
{
    const float corrected = value - *compensation;
    const float total = *sum + corrected;
    *compensation = (total - *sum) - corrected;
    *sum = total;
}

// Sums values[g * stride + offset] for g = 0 ..< count in that order, compensated; returns
// (sum, low part) so that sum + low is the total to about twice float precision.
float2 ordered_sum(global const float* values, index_t count, index_t stride, index_t offset)
{
    float sum = 0.0f, compensation = 0.0f;
    for (index_t g = 0; g < count; ++g) {
        compensated_add(&sum, &compensation, values[g * stride + offset]);
    }
    return (float2)(sum, -compensation);
}

// Tree-reduces scratch[row * columns + column] over the rows of each column in a fixed order and
// leaves each column's total in scratch[column]. Every work-item of the group calls it (it holds
// barriers); rows is a power of two and scratch holds rows * columns floats.
void reduce_rows(local float* scratch, uint column, uint row, uint columns, uint rows)
{
    for (uint span = rows / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (row < span) {
            scratch[row * columns + column] += scratch[(row + span) * columns + column];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

// A work-item's walk over one feature's values in the planar view: the j-th value of feature f is
// (o, i) = (j / inner, j % inner). Stepping j by a constant keeps (o, i) without a division per value.
typedef struct {
    index_t o;
    index_t i;
    index_t step_o;
    index_t step_i;
} planar_walk;

planar_walk planar_walk_start(index_t j, index_t step, index_t inner)
{
    planar_walk walk = { j / inner, j % inner, step / inner, step % inner };
    return walk;
}

index_t planar_walk_index(const planar_walk* walk, index_t f, index_t features, index_t inner)
{
    return (walk->o * features + f) * inner + walk->i;
}

void planar_walk_advance(planar_walk* walk, index_t inner)
{
    walk->o += walk->step_o;
    walk->i += walk->step_i;
    if (walk->i >= inner) {
        walk->i -= inner;
        walk->o += 1;
    }
}

// Planar kernels take their plane (o * features + f) or their feature from the second and third
// range dimensions, as rows x layers (the host's LaunchPlan.split). These say which, and whether it
// exists: always, unless BN_CHECK_RANGE, when the range may cover more than there are; the check
// then folds away at compile time.
bool planar_plane_of_work_item(index_t planes, index_t* plane)
{
    *plane = get_global_id(2) * get_global_size(1) + get_global_id(1);
    return !BN_CHECK_RANGE || *plane < planes;
}

bool planar_feature_of_group(index_t features, index_t* f)
{
    *f = get_group_id(2) * get_num_groups(1) + get_group_id(1);
    return !BN_CHECK_RANGE || *f < features;
}

// The exact rounding error of s = a + b (Knuth's TwoSum): a + b == s + two_sum_error(a, b, s).
float two_sum_error(float a, float b, float s)
{
    const float b_virtual = s - a;
    return (a - (s - b_virtual)) + (b - b_virtual);
}
