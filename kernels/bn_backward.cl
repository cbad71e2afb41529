// bn_backward.cl: dbeta = sum dy, dgamma = sum dy * xhat, and dx, with xhat = (x - mean) * invstd.
//
// bn_backward_reduce_planar / _interleaved: read dy, x, mean; write partial[(g * 2 + 0) * features + f]
//   = sum dy and partial[(g * 2 + 1) * features + f] = sum dy * (x - mean) over chunk g, compensated.
//   Ranges and work-groups as bn_stats_partial_planar / _interleaved; scratch holds 2 * WG floats.
// bn_backward_merge: one work-item per feature; adds the chunk partials in order; writes
//   dbeta[f] = sum dy and dgamma[f] = sum dy * (x - mean) * invstd.
// bn_backward_dx_planar / _interleaved: one element per step, ranges and arguments as bn_normalize_*; reads dy, x,
//   mean, invstd, gamma (NULL: 1), dgamma, dbeta; writes dx (may be dy):
//     batch statistics:  dx = gamma * invstd * (dy - dbeta / m - xhat * dgamma / m)
//     frozen statistics: dx = gamma * invstd * dy   (the mean and variance do not depend on x)
// Defines: BN_INDEX_T, BN_CHECK_RANGE (bn_common.cl).

kernel void bn_backward_reduce_planar(
    global const float* dy, global const float* x, global const float* mean, global float* partial,
    ulong outer_arg, ulong features_arg, ulong inner_arg, ulong chunk_length_arg, local float* scratch)
{
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    const index_t chunk_length = (index_t)chunk_length_arg;
    const uint lid = get_local_id(0), group_size = get_local_size(0);
    const index_t g = get_group_id(0);
    index_t f;
    if (!planar_feature_of_group(features, &f)) return; // the whole group returns: f is its own
    const index_t end = min((index_t)outer_arg * inner, (g + 1) * chunk_length);
    const float center = mean[f];

    float sum_dy = 0.0f, compensation_dy = 0.0f, sum_dyx = 0.0f, compensation_dyx = 0.0f;
    planar_walk walk = planar_walk_start(g * chunk_length + lid, group_size, inner);
    for (index_t j = g * chunk_length + lid; j < end; j += group_size) {
        const index_t index = planar_walk_index(&walk, f, features, inner);
        const float gradient = dy[index];
        compensated_add(&sum_dy, &compensation_dy, gradient);
        compensated_add(&sum_dyx, &compensation_dyx, gradient * (x[index] - center));
        planar_walk_advance(&walk, inner);
    }
    scratch[lid] = sum_dy - compensation_dy;
    scratch[group_size + lid] = sum_dyx - compensation_dyx;
    reduce_rows(scratch, 0, lid, 1, group_size);
    reduce_rows(scratch + group_size, 0, lid, 1, group_size);
    if (lid == 0) {
        partial[(g * 2) * features + f] = scratch[0];
        partial[(g * 2 + 1) * features + f] = scratch[group_size];
    }
}

kernel void bn_backward_reduce_interleaved(
    global const float* dy, global const float* x, global const float* mean, global float* partial,
    ulong rows_arg, ulong features_arg, ulong chunk_length_arg, local float* scratch)
{
    const index_t features = (index_t)features_arg, chunk_length = (index_t)chunk_length_arg;
    const uint lx = get_local_id(0), ly = get_local_id(1);
    const uint columns = get_local_size(0), rows_per_step = get_local_size(1);
    const index_t f = get_global_id(0), g = get_group_id(1);
    const bool active = f < features;

    float sum_dy = 0.0f, compensation_dy = 0.0f, sum_dyx = 0.0f, compensation_dyx = 0.0f;
    if (active) {
        const float center = mean[f];
        const index_t end = min((index_t)rows_arg, (g + 1) * chunk_length);
        for (index_t r = g * chunk_length + ly; r < end; r += rows_per_step) {
            const index_t index = r * features + f;
            const float gradient = dy[index];
            compensated_add(&sum_dy, &compensation_dy, gradient);
            compensated_add(&sum_dyx, &compensation_dyx, gradient * (x[index] - center));
        }
    }
    const uint slots = columns * rows_per_step;
    scratch[ly * columns + lx] = sum_dy - compensation_dy;
    scratch[slots + ly * columns + lx] = sum_dyx - compensation_dyx;
    reduce_rows(scratch, lx, ly, columns, rows_per_step);
    reduce_rows(scratch + slots, lx, ly, columns, rows_per_step);
    if (ly == 0 && active) {
        partial[(g * 2) * features + f] = scratch[lx];
        partial[(g * 2 + 1) * features + f] = scratch[slots + lx];
    }
}

kernel void bn_backward_merge(
    global const float* partial, global const float* invstd, global float* dgamma, global float* dbeta,
    ulong chunks, ulong features_arg)
{
    const index_t features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    const float2 sum_dy = ordered_sum(partial, (index_t)chunks, 2 * features, f);
    const float2 sum_dyx = ordered_sum(partial, (index_t)chunks, 2 * features, features + f);
    dbeta[f] = sum_dy.x + sum_dy.y;
    dgamma[f] = (sum_dyx.x + sum_dyx.y) * invstd[f];
}

// dx for one element of feature f; `reduction_scale` is 1/m.
float bn_input_gradient(
    float gradient, float value, float center, float inverse_std, float scale,
    float dbeta, float dgamma, float reduction_scale, int uses_batch_statistics)
{
    if (!uses_batch_statistics) {
        return scale * gradient;
    }
    const float xhat = (value - center) * inverse_std;
    return scale * ((gradient - dbeta * reduction_scale) - xhat * (dgamma * reduction_scale));
}

kernel void bn_backward_dx_planar(
    global const float* dy, global const float* x, global const float* mean, global const float* invstd,
    global const float* gamma, global const float* dgamma, global const float* dbeta, global float* dx,
    ulong outer, ulong features_arg, ulong inner_arg, float reduction_scale, int uses_batch_statistics)
{
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    index_t plane;
    if (!planar_plane_of_work_item((index_t)outer * features, &plane)) return;
    const index_t f = plane % features;
    const float center = mean[f], inverse_std = invstd[f], scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    const float sum_dy = dbeta[f], sum_dyx = dgamma[f];
    const index_t base = plane * inner;
    for (index_t i = get_global_id(0); i < inner; i += get_global_size(0)) {
        dx[base + i] = bn_input_gradient(dy[base + i], x[base + i], center, inverse_std, scale,
                                         sum_dy, sum_dyx, reduction_scale, uses_batch_statistics);
    }
}

kernel void bn_backward_dx_interleaved(
    global const float* dy, global const float* x, global const float* mean, global const float* invstd,
    global const float* gamma, global const float* dgamma, global const float* dbeta, global float* dx,
    ulong rows_arg, ulong features_arg, float reduction_scale, int uses_batch_statistics)
{
    const index_t rows = (index_t)rows_arg, features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    const float center = mean[f], inverse_std = invstd[f], scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    const float sum_dy = dbeta[f], sum_dyx = dgamma[f];
    for (index_t r = get_global_id(1); r < rows; r += get_global_size(1)) {
        const index_t index = r * features + f;
        dx[index] = bn_input_gradient(dy[index], x[index], center, inverse_std, scale,
                                      sum_dy, sum_dyx, reduction_scale, uses_batch_statistics);
    }
}
