// bn_forward.cl: y = gamma * ((x - mean) - mean_lo) * invstd + beta, per element.
//
// bn_normalize_planar: reads x[outer * features * inner], mean[features], mean_lo[features] or NULL,
//   invstd[features], gamma[features] or NULL (1), beta[features] or NULL (0); writes y (may be x).
//   3-D range (G0, P1, P2): work-item (t, p1, p2) takes plane p = p2 * P1 + p1 (= o * features + f),
//   elements t, t + G0, ... < inner. P1 and P2 stay at most 65535, the most work-groups some
//   drivers allow in those dimensions; the range covers the planes exactly, or, with BN_CHECK_RANGE,
//   at least, and planes past the end are skipped.
// bn_normalize_interleaved: the same arrays for the interleaved view [rows][features].
//   2-D range (round_up(features, LX), G1): work-item (f, r) takes rows r, r + G1, ... of feature f.
// Training passes the batch mean as mean + mean_lo (bn_stats_mean); inference passes the running
// mean and NULL. No reductions, no barriers.
// Defines: BN_INDEX_T, BN_CHECK_RANGE (bn_common.cl).

kernel void bn_normalize_planar(
    global const float* x, global float* y, global const float* mean, global const float* mean_lo,
    global const float* invstd, global const float* gamma, global const float* beta,
    ulong outer, ulong features_arg, ulong inner_arg)
{
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    index_t plane;
    if (!planar_plane_of_work_item((index_t)outer * features, &plane)) return;
    const index_t f = plane % features;
    const float center = mean[f], center_lo = mean_lo ? mean_lo[f] : 0.0f;
    const float scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    const float shift = beta ? beta[f] : 0.0f;
    const index_t base = plane * inner;
    for (index_t i = get_global_id(0); i < inner; i += get_global_size(0)) {
        y[base + i] = ((x[base + i] - center) - center_lo) * scale + shift;
    }
}

kernel void bn_normalize_interleaved(
    global const float* x, global float* y, global const float* mean, global const float* mean_lo,
    global const float* invstd, global const float* gamma, global const float* beta,
    ulong rows_arg, ulong features_arg)
{
    const index_t rows = (index_t)rows_arg, features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    const float center = mean[f], center_lo = mean_lo ? mean_lo[f] : 0.0f;
    const float scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    const float shift = beta ? beta[f] : 0.0f;
    for (index_t r = get_global_id(1); r < rows; r += get_global_size(1)) {
        const index_t index = r * features + f;
        y[index] = ((x[index] - center) - center_lo) * scale + shift;
    }
}
