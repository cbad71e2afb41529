// bn_statistics.cl: per-feature batch statistics by a deterministic two-pass parallel reduction.
//
// Each feature's values are split into `chunks` chunks, one work-group (planar) or work-item
// (interleaved) each. A chunk reads its values twice, the second time from cache: once for a center
// near its mean, once for the residual sum (x - center) and the squares sum (x - center)^2,
// compensated (bn_moments.cl, planar_moments). A merge kernel then adds the chunks' moments in chunk
// order, re-centred on the first chunk's center, so no sum ever cancels: no E[x^2] - E[x]^2, and no
// atomics. The same input gives the same bits on the same device.
//
// bn_stats_chunk_planar: reads x (tensor_t, bn_storage.cl); writes the moments of chunk g of feature f to partial[g * features + f]
//   (center), partial[chunks * features + ...] (residual) and partial[2 * chunks * features + ...] (squares).
//   Range (chunks * WG, F1 * P, F2), work-groups (WG, P, 1): group (g, f1, f2) takes planes
//   [g * chunk_planes, (g + 1) * chunk_planes) of feature f = f2 * F1 + f1, its WG work-items along
//   each plane and its P lanes over the planes (planar_moments, bn_moments.cl); F1, F2 <= 65535, and
//   groups past the last feature return. scratch holds WG * P floats.
// bn_stats_chunk_interleaved: the same output for the view [rows][features].
//   Range (round_up(features / (W * BN_SPAN), LX), chunks * LY), work-groups (LX, LY): work-item
//   (v, l) of group (., g) takes features [v * W * BN_SPAN, (v + 1) * W * BN_SPAN) (W = BN_VECTOR_WIDTH;
//   W * BN_SPAN divides features) over rows first + l, first + l + LY, ... of chunk g's rows
//   [first, first + chunk_rows), reading its BN_SPAN vectors of each row together, so that a span of 1
//   walks a column and a larger one streams runs of the rows (interleaved_moments, bn_moments.cl). The
//   LY row lanes (1 on CPUs; more where a GPU's features do not fill a group) share one shift and their
//   sums meet by lane_total_v (bn_sums.cl) before each chunk's center and moments. scratch holds
//   LX * LY * W floats.
// The merge kernels (bn_stats_merge, bn_stats_moments): range (L, R * B1, B2), work-groups (L, R, 1):
//   the L work-items (lanes) of a row merge feature f's chunks, lane l taking chunks l, l + L, ... in
//   order, and their sums meet by a tree in a fixed order (row_total), so that a GPU reads many
//   chunks at once; with L = 1 a work-item merges its feature's chunks in order. Row r of group
//   (b1, b2) takes f = (b2 * B1 + b1) * R + r (merge_feature, bn_work.cl); B1, B2 <= 65535, and rows
//   past the last feature compute nothing. scratch holds L * R floats.
// bn_stats_merge: merges feature f's chunks (chunk g holds
//   min(chunk_values, values - g * chunk_values) values) and writes mean[f] + mean_lo[f] (the mean to
//   about twice float precision), invstd[f] + invstd_lo[f] = 1 / sqrt(biased variance + epsilon)
//   (likewise; invstd alone is its float rounding) and, when
//   running_mean != NULL, running = keep * running + take * batch with the batch variance
//   squares / variance_divisor. With renorm_r given (Batch Renormalization), it also writes, before
//   that blend, renorm_r, renorm_d, renorm_scale, renorm_scale_lo and renorm_shift from gamma and beta
//   (NULL: 1 and 0), r_max and d_max (renorm_target, bn_moments.cl); every renorm_ array is NULL otherwise.
//   Given batch_variance (a virtual batch's), it receives squares / variance_divisor instead of the
//   blend, which bn_running_update makes once every group is done; NULL blends at once.
// bn_stats_moments: merges the chunks as bn_stats_merge and writes the
//   feature's moments over all values, total[f] (center), total[features + f] (residual) and
//   total[2 * features + f] (squares), for the host to finish in double: a device's part of a batch
//   that several devices normalize together (synchronized batch norm).
// bn_inverse_std: one work-item per feature; invstd[f] + invstd_lo[f] = 1 / sqrt(variance[f] + epsilon).
// bn_running_update: one work-item per feature; running = keep * running + take * batch from the
//   batch's mean and variance (blend_running, as bn_stats_merge blends): mean[f] and variance[f] for
//   the merged statistics of synchronized batch norm, which the host finishes in double (groups 1),
//   or the average over virtual batches g < groups of mean[g * features + f] and variance[...].
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_SPAN, BN_STORAGE (bn_storage.cl).

kernel void bn_stats_chunk_planar(
    global const tensor_t* x, ulong x_offset, global float* partial, ulong partial_offset, ulong outer,
    ulong features_arg, ulong inner, ulong chunk_planes, local float* scratch)
{
    AT_OFFSET(x); AT_OFFSET(partial);
    const index_t features = (index_t)features_arg, f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const index_t g = get_group_id(0), stride = get_num_groups(0) * features;
    const index_t first = g * (index_t)chunk_planes, end = min((index_t)outer, first + (index_t)chunk_planes);
    const moments chunk = planar_moments(x, f, features, (index_t)inner, first, end, scratch);
    if (get_local_id(0) == 0 && get_local_id(1) == 0) {
        const index_t slot = g * features + f;
        partial[slot] = chunk.center;
        partial[stride + slot] = chunk.residual;
        partial[2 * stride + slot] = chunk.squares;
    }
}

kernel void bn_stats_chunk_interleaved(
    global const tensor_t* x, ulong x_offset, global float* partial, ulong partial_offset, ulong rows,
    ulong features_arg, ulong chunk_rows, ulong chunks, local float* scratch)
{
    AT_OFFSET(x); AT_OFFSET(partial);
    const index_t features = (index_t)features_arg, column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    // a work-item past the last feature vector sums no rows but joins the lanes' barriers
    const int is_column = column < features;
    const index_t g = get_group_id(1), stride = (index_t)chunks * features;
    const index_t first = g * (index_t)chunk_rows, end = min((index_t)rows, first + (index_t)chunk_rows);
    floatv center[BN_SPAN], residual[BN_SPAN], squares[BN_SPAN];
    interleaved_moments(x, features, column, is_column, first, end, scratch, center, residual, squares);
    for (int s = 0; s < BN_SPAN; ++s) {
        if (is_column && get_local_id(1) == 0) {
            const index_t slot = g * features + column + s * BN_VECTOR_WIDTH;
            store_v(center[s], partial + slot);
            store_v(residual[s], partial + stride + slot);
            store_v(squares[s], partial + 2 * stride + slot);
        }
    }
}

// Feature f's moments over all its values, returned to the lanes of its row (the merge kernels'
// layout, above; every work-item of the group calls it, as it holds barriers): each lane adds its
// chunks' moments in chunk order (chunk g holds min(chunk_values, values - g * chunk_values) values),
// re-centred on the first chunk's center, and the lanes' sums meet by row_total. A row past the
// last feature (f >= features) adds nothing and gets zeros.
moments merged_moments(global const float* partial, index_t f, index_t chunks, index_t features, ulong values,
                       ulong chunk_values, local float* scratch)
{
    const index_t stride = chunks * features;
    const int is_feature = f < features;
    const float reference = is_feature ? partial[f] : 0.0f;
    float residual = 0.0f, residual_c = 0.0f, squares = 0.0f, squares_c = 0.0f;
    for (index_t g = get_local_id(0); is_feature && g < chunks; g += get_local_size(0)) {
        const index_t slot = g * features + f;
        moments chunk;
        chunk.center = partial[slot];
        chunk.residual = partial[stride + slot];
        chunk.squares = partial[2 * stride + slot];
        const float count = (float)min(chunk_values, values - (ulong)g * chunk_values);
        moments_accumulate(chunk, count, reference, &residual, &residual_c, &squares, &squares_c);
    }
    moments total;
    total.center = reference;
    total.residual = row_total(scratch, residual - residual_c);
    total.squares = row_total(scratch, squares - squares_c);
    return total;
}

kernel void bn_stats_merge(
    global const float* partial, ulong partial_offset, global float* mean, ulong mean_offset,
    global float* mean_lo, ulong mean_lo_offset, global float* invstd, ulong invstd_offset,
    global float* invstd_lo, ulong invstd_lo_offset, global float* running_mean, ulong running_mean_offset,
    global float* running_variance, ulong running_variance_offset, global const float* gamma, ulong gamma_offset,
    global const float* beta, ulong beta_offset, global float* renorm_r, ulong renorm_r_offset,
    global float* renorm_d, ulong renorm_d_offset, global float* renorm_scale, ulong renorm_scale_offset,
    global float* renorm_scale_lo, ulong renorm_scale_lo_offset, global float* renorm_shift,
    ulong renorm_shift_offset, global float* batch_variance, ulong batch_variance_offset, ulong chunks,
    ulong features_arg, ulong values, ulong chunk_values, float epsilon, float keep, float take,
    float variance_divisor, float r_max, float d_max, local float* scratch)
{
    AT_OFFSET(partial); AT_OFFSET(mean); AT_OFFSET(mean_lo); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    AT_OFFSET(running_mean); AT_OFFSET(running_variance); AT_OFFSET(gamma); AT_OFFSET(beta); AT_OFFSET(renorm_r);
    AT_OFFSET(renorm_d); AT_OFFSET(renorm_scale); AT_OFFSET(renorm_scale_lo); AT_OFFSET(renorm_shift);
    AT_OFFSET(batch_variance);
    const index_t features = (index_t)features_arg, f = merge_feature();
    const moments total = merged_moments(partial, f, (index_t)chunks, features, values, chunk_values, scratch);
    if (f >= features || get_local_id(0) != 0) return;
    const renorm_target renorm = { renorm_r, renorm_d, renorm_scale, renorm_scale_lo, renorm_shift, gamma, beta,
                                   r_max, d_max };
    store_feature_statistics(f, total, (float)values, epsilon, keep, take, variance_divisor,
                             mean, mean_lo, invstd, invstd_lo, running_mean, running_variance, renorm, batch_variance);
}

kernel void bn_stats_moments(
    global const float* partial, ulong partial_offset, global float* total, ulong total_offset, ulong chunks,
    ulong features_arg, ulong values, ulong chunk_values, local float* scratch)
{
    AT_OFFSET(partial); AT_OFFSET(total);
    const index_t features = (index_t)features_arg, f = merge_feature();
    const moments merged = merged_moments(partial, f, (index_t)chunks, features, values, chunk_values, scratch);
    if (f >= features || get_local_id(0) != 0) return;
    total[f] = merged.center;
    total[features + f] = merged.residual;
    total[2 * features + f] = merged.squares;
}

kernel void bn_inverse_std(
    global const float* variance, ulong variance_offset, global float* invstd, ulong invstd_offset,
    global float* invstd_lo, ulong invstd_lo_offset, ulong features, float epsilon)
{
    AT_OFFSET(variance); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    const index_t f = get_global_id(0);
    if (f >= (index_t)features) return;
    const float2 inverse = inverse_sqrt_split(variance[f], epsilon);
    invstd[f] = inverse.x;
    invstd_lo[f] = inverse.y;
}

kernel void bn_running_update(
    global const float* mean, ulong mean_offset, global const float* variance, ulong variance_offset,
    global float* running_mean, ulong running_mean_offset, global float* running_variance,
    ulong running_variance_offset, ulong features_arg, ulong groups, float keep, float take)
{
    AT_OFFSET(mean); AT_OFFSET(variance); AT_OFFSET(running_mean); AT_OFFSET(running_variance);
    const index_t f = get_global_id(0), features = (index_t)features_arg;
    if (f >= features) return;
    const float2 sums = group_sums(mean, variance, f, features, (index_t)groups);
    blend_running(f, keep, take, sums.x / (float)groups, sums.y / (float)groups, running_mean, running_variance);
}
