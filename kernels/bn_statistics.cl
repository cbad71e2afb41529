// bn_statistics.cl: per-feature batch statistics by a deterministic two-pass parallel reduction.
//
// Each feature's m values are split into `chunks` ranges of `chunk_length` values (planar) or rows
// (interleaved), one work-group each; the groups write partial sums, and a merge kernel adds them in
// chunk order. No atomics: the same input gives the same bits on the same device.
//
// bn_stats_partial_planar: reads x; writes partial[g * features + f].
//   3-D range (chunks * WG, F1, F2), work-groups (WG, 1, 1); group (g, f1, f2) takes values
//   [g * chunk_length, (g + 1) * chunk_length) of feature f = f2 * F1 + f1. F1 and F2 stay at most
//   65535, the most work-groups some drivers allow in those dimensions; the range covers the
//   features exactly, or, with BN_CHECK_RANGE, at least, and groups past the end return.
// bn_stats_partial_interleaved: reads x; writes partial[g * features + f].
//   2-D range (round_up(features, LX), chunks * LY), work-groups (LX, LY); group row g takes rows
//   [g * chunk_length, (g + 1) * chunk_length).
//   Both sum, compensated, one of two terms:
//     pass 1 (center == NULL): x - k, with k the feature's first value. The shift keeps a large mean
//       from swamping the sum; the mean is then k + sum / m.
//     pass 2 (center != NULL): ((x - center[f]) - center_lo[f])^2, the squared deviation from the
//       float-float mean of pass 1.
// bn_stats_mean: one work-item per feature; reads x and the pass-1 partials; writes mean[f] (the
//   float nearest the mean) and mean_lo[f] (the rest, so mean + mean_lo carries about twice float
//   precision, which keeps deviations exact for means far larger than the spread).
// bn_stats_variance: one work-item per feature; reads the pass-2 partials; writes
//   invstd[f] = 1 / sqrt(sum / count + epsilon) and, when running_mean != NULL, blends the running
//   statistics: running = keep * running + take * batch, with the batch variance sum / variance_divisor.
// bn_inverse_std: one work-item per feature; invstd[f] = 1 / sqrt(variance[f] + epsilon).
// Defines: BN_INDEX_T, BN_CHECK_RANGE (bn_common.cl).

kernel void bn_stats_partial_planar(
    global const float* x, global const float* center, global const float* center_lo, global float* partial,
    ulong outer_arg, ulong features_arg, ulong inner_arg, ulong chunk_length_arg, local float* scratch)
{
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    const index_t chunk_length = (index_t)chunk_length_arg;
    const uint lid = get_local_id(0), group_size = get_local_size(0);
    const index_t g = get_group_id(0);
    index_t f;
    if (!planar_feature_of_group(features, &f)) return; // the whole group returns: f is its own
    const index_t end = min((index_t)outer_arg * inner, (g + 1) * chunk_length);
    const bool squared = center != 0;
    const float k = squared ? center[f] : x[f * inner];
    const float k_lo = squared ? center_lo[f] : 0.0f;

    float sum = 0.0f, compensation = 0.0f;
    planar_walk walk = planar_walk_start(g * chunk_length + lid, group_size, inner);
    for (index_t j = g * chunk_length + lid; j < end; j += group_size) {
        const float d = (x[planar_walk_index(&walk, f, features, inner)] - k) - k_lo;
        compensated_add(&sum, &compensation, squared ? d * d : d);
        planar_walk_advance(&walk, inner);
    }
    scratch[lid] = sum - compensation;
    reduce_rows(scratch, 0, lid, 1, group_size);
    if (lid == 0) {
        partial[g * features + f] = scratch[0];
    }
}

kernel void bn_stats_partial_interleaved(
    global const float* x, global const float* center, global const float* center_lo, global float* partial,
    ulong rows_arg, ulong features_arg, ulong chunk_length_arg, local float* scratch)
{
    const index_t features = (index_t)features_arg, chunk_length = (index_t)chunk_length_arg;
    const uint lx = get_local_id(0), ly = get_local_id(1);
    const uint columns = get_local_size(0), rows_per_step = get_local_size(1);
    const index_t f = get_global_id(0), g = get_group_id(1);
    const bool active = f < features;

    float sum = 0.0f, compensation = 0.0f;
    if (active) {
        const bool squared = center != 0;
        const float k = squared ? center[f] : x[f];
        const float k_lo = squared ? center_lo[f] : 0.0f;
        const index_t end = min((index_t)rows_arg, (g + 1) * chunk_length);
        for (index_t r = g * chunk_length + ly; r < end; r += rows_per_step) {
            const float d = (x[r * features + f] - k) - k_lo;
            compensated_add(&sum, &compensation, squared ? d * d : d);
        }
    }
    scratch[ly * columns + lx] = sum - compensation;
    reduce_rows(scratch, lx, ly, columns, rows_per_step);
    if (ly == 0 && active) {
        partial[g * features + f] = scratch[lx];
    }
}

kernel void bn_stats_mean(
    global const float* x, global const float* partial, global float* mean, global float* mean_lo,
    ulong chunks, ulong features_arg, ulong inner, float count)
{
    const index_t features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    const float k = x[f * (index_t)inner];
    const float2 shifted_sum = ordered_sum(partial, (index_t)chunks, features, f);
    // quotient and its remainder: sum / count == q + q_lo to about twice float precision
    const float q = shifted_sum.x / count;
    const float q_lo = (fma(-q, count, shifted_sum.x) + shifted_sum.y) / count;
    const float hi = k + q;
    const float lo = two_sum_error(k, q, hi) + q_lo;
    const float nearest = hi + lo;
    mean[f] = nearest;
    mean_lo[f] = lo - (nearest - hi);
}

kernel void bn_stats_variance(
    global const float* partial, global const float* mean, global const float* mean_lo, global float* invstd,
    global float* running_mean, global float* running_variance,
    ulong chunks, ulong features_arg, float count, float epsilon, float keep, float take, float variance_divisor)
{
    const index_t features = (index_t)features_arg, f = get_global_id(0);
    if (f >= features) return;
    const float2 squares = ordered_sum(partial, (index_t)chunks, features, f);
    const float sum_of_squares = squares.x + squares.y;
    invstd[f] = 1.0f / sqrt(sum_of_squares / count + epsilon);
    if (running_mean != 0) {
        running_mean[f] = keep * running_mean[f] + take * (mean[f] + mean_lo[f]);
        running_variance[f] = keep * running_variance[f] + take * (sum_of_squares / variance_divisor);
    }
}

kernel void bn_inverse_std(global const float* variance, global float* invstd, ulong features, float epsilon)
{
    const index_t f = get_global_id(0);
    if (f >= (index_t)features) return;
    invstd[f] = 1.0f / sqrt(variance[f] + epsilon);
}
