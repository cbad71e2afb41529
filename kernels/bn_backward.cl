// bn_backward.cl: dbeta = sum dy, dgamma = sum dy * xhat, and dx, with xhat = (x - mean) * invstd.
//
// bn_backward_reduce_planar / _interleaved: read dy, x, mean; write partial[(g * 2 + 0) * features + f]
//   = sum dy and partial[(g * 2 + 1) * features + f] = sum dy * (x - mean) over chunk g, compensated.
//   Ranges, work-groups, chunks and spans as bn_stats_chunk_planar / _interleaved; scratch holds WG floats.
// bn_backward_merge: one work-item per feature; adds the chunk partials in order; writes
//   dbeta[f] = sum dy and dgamma[f] = sum dy * (x - mean) * invstd.
// bn_backward_dx_planar / _interleaved: ranges and arguments as bn_normalize_*; read dy, x, mean,
//   invstd, gamma (NULL: 1), dgamma, dbeta; write dx (may be dy):
//     batch statistics:  dx = gamma * invstd * ((dy - dbeta / m) - (x - mean) * invstd * dgamma / m)
//     frozen statistics: dx = gamma * invstd * dy   (the mean and variance do not depend on x)
// bn_backward_resident: the reduction, dgamma, dbeta and dx in one kernel for planar features small
//   enough to stay in cache (batch statistics only): work-group f as bn_forward_training_resident.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_SPAN (bn_common.cl).

// Sums values[g * stride + offset] for g = 0 ..< count in that order, compensated.
float ordered_sum(global const float* values, index_t count, index_t stride, index_t offset)
{
    float sum = 0.0f, compensation = 0.0f;
    for (index_t g = 0; g < count; ++g) {
        compensated_add(&sum, &compensation, values[g * stride + offset]);
    }
    return sum - compensation;
}

// Sum dy and sum dy * (x - center) of feature f over planes [first_plane, end_plane), returned to
// every work-item of the 1-D group (it holds barriers); scratch holds get_local_size(0) floats.
float2 planar_gradient_sums(global const float* dy, global const float* x, float center, index_t f,
                            index_t features, index_t inner, index_t first_plane, index_t end_plane, local float* scratch)
{
    const uint lid = get_local_id(0), size = get_local_size(0);
    const index_t vectors = inner / BN_VECTOR_WIDTH, tail = vectors * BN_VECTOR_WIDTH;
    accumulator_v dy_v = accumulator_v_zero(), dyx_v = accumulator_v_zero();
    float dy_s = 0.0f, dy_sc = 0.0f, dyx_s = 0.0f, dyx_sc = 0.0f;
    for (index_t o = first_plane; o < end_plane; ++o) {
        const index_t base = (o * features + f) * inner;
        for (index_t v = lid; v < vectors; v += size) {
            const index_t at = base + v * BN_VECTOR_WIDTH;
            const floatv gradient = load_v(dy + at);
            accumulator_v_add(&dy_v, gradient);
            accumulator_v_add(&dyx_v, gradient * (load_v(x + at) - center));
        }
        for (index_t i = tail + lid; i < inner; i += size) {
            const float gradient = dy[base + i];
            compensated_add(&dy_s, &dy_sc, gradient);
            compensated_add(&dyx_s, &dyx_sc, gradient * (x[base + i] - center));
        }
    }
    return (float2)(group_total(scratch, lanes_total(dy_v, dy_s, dy_sc)),
                    group_total(scratch, lanes_total(dyx_v, dyx_s, dyx_sc)));
}

kernel void bn_backward_reduce_planar(
    global const float* dy, global const float* x, global const float* mean, global float* partial,
    ulong outer, ulong features_arg, ulong inner, ulong chunk_planes, local float* scratch)
{
    const index_t features = (index_t)features_arg, f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const index_t g = get_group_id(0);
    const index_t first = g * (index_t)chunk_planes, end = min((index_t)outer, first + (index_t)chunk_planes);
    const float2 sums = planar_gradient_sums(dy, x, mean[f], f, features, (index_t)inner, first, end, scratch);
    if (get_local_id(0) == 0) {
        partial[(g * 2) * features + f] = sums.x;
        partial[(g * 2 + 1) * features + f] = sums.y;
    }
}

kernel void bn_backward_reduce_interleaved(
    global const float* dy, global const float* x, global const float* mean, global float* partial,
    ulong rows, ulong features_arg, ulong chunk_rows, ulong chunks)
{
    const index_t features = (index_t)features_arg, column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    if (column >= features) return;
    const index_t g = get_global_id(1);
    const index_t first = g * (index_t)chunk_rows, end = min((index_t)rows, first + (index_t)chunk_rows);
    floatv center[BN_SPAN];
    accumulator_v sum_dy[BN_SPAN], sum_dyx[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        center[s] = load_v(mean + column + s * BN_VECTOR_WIDTH);
        sum_dy[s] = accumulator_v_zero();
        sum_dyx[s] = accumulator_v_zero();
    }
    for (index_t r = first; r < end; ++r) {
        for (int s = 0; s < BN_SPAN; ++s) {
            const index_t at = r * features + column + s * BN_VECTOR_WIDTH;
            const floatv gradient = load_v(dy + at);
            accumulator_v_add(&sum_dy[s], gradient);
            accumulator_v_add(&sum_dyx[s], gradient * (load_v(x + at) - center[s]));
        }
    }
    for (int s = 0; s < BN_SPAN; ++s) {
        store_v(accumulator_v_lanes(sum_dy[s]), partial + (g * 2) * features + column + s * BN_VECTOR_WIDTH);
        store_v(accumulator_v_lanes(sum_dyx[s]), partial + (g * 2 + 1) * features + column + s * BN_VECTOR_WIDTH);
    }
}

kernel void bn_backward_merge(
    global const float* partial, global const float* invstd, global float* dgamma, global float* dbeta,
    ulong chunks, ulong features_arg)
{
    const index_t features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    dbeta[f] = ordered_sum(partial, (index_t)chunks, 2 * features, f);
    dgamma[f] = ordered_sum(partial, (index_t)chunks, 2 * features, features + f) * invstd[f];
}

// dx for one gradient and value, the same for a float and for a vector:
// scale * ((gradient - mean_dy) - (value - center) * slope) with batch statistics, scale * gradient without.
#define input_gradient(gradient, value, center, scale, mean_dy, slope, uses_batch_statistics) \
    ((uses_batch_statistics) ? (scale) * (((gradient) - (mean_dy)) - ((value) - (center)) * (slope)) : (scale) * (gradient))

// The per-feature constants of dx = scale * ((dy - mean_dy) - (x - center) * slope).
typedef struct {
    float center;
    float scale;
    float mean_dy;
    float slope;
} gradient_terms;

gradient_terms gradient_terms_of(index_t f, global const float* mean, global const float* invstd,
                                 global const float* gamma, float dgamma, float dbeta, float reduction_scale)
{
    gradient_terms terms;
    terms.center = mean[f];
    terms.scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    terms.mean_dy = dbeta * reduction_scale;
    terms.slope = invstd[f] * dgamma * reduction_scale;
    return terms;
}

// dx over one plane (inner floats at base), vectors first, first + step, ..., then the tail floats.
void input_gradient_plane(global const float* dy, global const float* x, global float* dx, index_t base, index_t inner,
                          gradient_terms terms, int uses_batch_statistics, index_t first, index_t step)
{
    const index_t vectors = inner / BN_VECTOR_WIDTH;
    for (index_t v = first; v < vectors; v += step) {
        const index_t at = base + v * BN_VECTOR_WIDTH;
        store_v(input_gradient(load_v(dy + at), load_v(x + at), terms.center, terms.scale, terms.mean_dy, terms.slope,
                               uses_batch_statistics),
                dx + at);
    }
    for (index_t i = vectors * BN_VECTOR_WIDTH + first; i < inner; i += step) {
        dx[base + i] = input_gradient(dy[base + i], x[base + i], terms.center, terms.scale, terms.mean_dy, terms.slope,
                                      uses_batch_statistics);
    }
}

kernel void bn_backward_dx_planar(
    global const float* dy, global const float* x, global const float* mean, global const float* invstd,
    global const float* gamma, global const float* dgamma, global const float* dbeta, global float* dx,
    ulong outer, ulong features_arg, ulong inner_arg, ulong planes_per_item, float reduction_scale,
    int uses_batch_statistics)
{
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    index_t first, end;
    block_of_work_item((index_t)outer * features, (index_t)planes_per_item, &first, &end);
    for (index_t plane = first; plane < end; ++plane) {
        const index_t f = plane % features;
        const gradient_terms terms = gradient_terms_of(f, mean, invstd, gamma, dgamma[f], dbeta[f], reduction_scale);
        input_gradient_plane(dy, x, dx, plane * inner, inner, terms, uses_batch_statistics,
                             get_global_id(0), get_global_size(0));
    }
}

kernel void bn_backward_dx_interleaved(
    global const float* dy, global const float* x, global const float* mean, global const float* invstd,
    global const float* gamma, global const float* dgamma, global const float* dbeta, global float* dx,
    ulong rows, ulong features_arg, ulong rows_per_item, float reduction_scale, int uses_batch_statistics)
{
    const index_t features = (index_t)features_arg, vectors = features / BN_VECTOR_WIDTH;
    index_t first, end;
    block_of_work_item((index_t)rows, (index_t)rows_per_item, &first, &end);
    for (index_t r = first; r < end; ++r) {
        for (index_t v = get_global_id(0); v < vectors; v += get_global_size(0)) {
            const index_t column = v * BN_VECTOR_WIDTH, at = r * features + column;
            const floatv inverse_std = load_v(invstd + column);
            const floatv scale = (gamma ? load_v(gamma + column) : (floatv)(1.0f)) * inverse_std;
            store_v(input_gradient(load_v(dy + at), load_v(x + at), load_v(mean + column), scale,
                                   load_v(dbeta + column) * reduction_scale,
                                   inverse_std * load_v(dgamma + column) * reduction_scale, uses_batch_statistics),
                    dx + at);
        }
    }
}

kernel void bn_backward_resident(
    global const float* dy, global const float* x, global const float* mean, global const float* invstd,
    global const float* gamma, global float* dgamma, global float* dbeta, global float* dx,
    ulong outer_arg, ulong features_arg, ulong inner_arg, float reduction_scale, local float* scratch)
{
    const index_t outer = (index_t)outer_arg, features = (index_t)features_arg, inner = (index_t)inner_arg;
    const index_t f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const float2 sums = planar_gradient_sums(dy, x, mean[f], f, features, inner, 0, outer, scratch);
    const float feature_dgamma = sums.y * invstd[f];
    if (get_local_id(0) == 0) {
        dbeta[f] = sums.x;
        dgamma[f] = feature_dgamma;
    }
    const gradient_terms terms = gradient_terms_of(f, mean, invstd, gamma, feature_dgamma, sums.x, reduction_scale);
    for (index_t o = 0; o < outer; ++o) {
        input_gradient_plane(dy, x, dx, (o * features + f) * inner, inner, terms, 1,
                             get_local_id(0), get_local_size(0));
    }
}
