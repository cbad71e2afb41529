// bn_backward.cl: dbeta = sum dy, dgamma = sum dy * xhat, and dx, with xhat = (x - mean) * invstd.
//
// With batch statistics, `mean` is the float rounding of x's batch mean, as the forward pass returns
// it; the rounding costs up to half an ulp of the mean, which at a mean 10^4 times the standard
// deviation is 6e-4 of it, and dgamma and dx would inherit that. So the reductions also sum
// (x - mean), whose total over m values is m times what the rounding lost (the residual), and every
// later step centers x on mean + residual, as the forward pass centers on mean + mean_lo.
//
// Fused passes (bn_forward.cl's relu, and relu(bn(x) + z)): every kernel that reads dy also takes y,
// the fused forward output, or NULL; given, the gradient used everywhere below is dy masked by y's
// sign (relu_masked_v, bn_fusion.cl), and the dx kernels also write it to dz (NULL: not wanted), the
// gradient of z; y and dz are read only in the BN_FUSED build. dy, x, y, dx and dz are tensor_t
// (bn_storage.cl).
//
// bn_backward_reduce_planar / _interleaved: read dy, y, x, mean; write, for chunk g, compensated,
//   partial[(g * 3 + 0) * features + f] = sum dy, partial[(g * 3 + 1) * features + f] = sum dy * (x - mean)
//   and partial[(g * 3 + 2) * features + f] = sum (x - mean).
//   Ranges, work-groups, chunks, spans and row lanes as bn_stats_chunk_planar / _interleaved; scratch
//   holds WG floats (planar) or LX * LY * W floats (interleaved).
// bn_backward_merge: lanes of a row per feature, as bn_stats_merge (bn_statistics.cl), add the chunk
//   partials (ordered_sum); writes
//   dbeta[f] = sum dy, residual[f] = sum (x - mean) / m (0 with frozen statistics) and
//   dgamma[f] = (sum dy * (x - mean) - residual * sum dy) * invstd.
// bn_backward_sums: adds the chunk partials as bn_backward_merge and writes the three
//   sums, sums[k * features + f] for k = 0 (dy), 1 (dy * (x - mean)) and 2 (x - mean): a device's part
//   of a batch that several devices differentiate together (synchronized batch norm).
// bn_backward_dx_planar / _interleaved: ranges, lanes and arguments as bn_normalize_*; read dy, y, x, mean,
//   residual, invstd, gamma (NULL: 1), dgamma, dbeta; write dx (may be dy) and dz (may be dy, not dx):
//     batch statistics:  dx = gamma * invstd * ((dy - dbeta / m) - ((x - mean) - residual) * invstd * dgamma / m)
//     frozen statistics: dx = gamma * invstd * dy   (the mean and variance do not depend on x)
// bn_backward_resident: the reduction, dgamma, dbeta and dx in one kernel for planar features small
//   enough to stay in cache (batch statistics only): work-group f as bn_forward_training_resident.
// bn_backward_resident_interleaved: the same for interleaved features whose rows' BN_SPAN vectors of
//   x and dy stay in cache together: work-item (v, l) takes bn_backward_reduce_interleaved's feature
//   vectors over every row, as one chunk; every row lane gets the sums (lane_total_v), row lane 0 writes
//   dgamma and dbeta as bn_backward_merge does, and the lanes write dx (and dz) for their rows, read
//   again from cache. Range and work-groups as bn_forward_training_resident_interleaved's.
// Batch Renormalization (bn_moments.cl's renorm_target): r and d are constants of the gradient, so
// a renormalized backward pass runs the kernels above with gamma * r for gamma, and then gives
// dgamma = sum dy * (xhat * r + d) = r * dgamma + d * dbeta:
// bn_renorm_gain: one work-item per feature; gain[f] = gamma[f] (NULL: 1) * r[f].
// bn_renorm_gradient: one work-item per feature; dgamma[f] = r[f] * dgamma[f] + d[f] * dbeta[f].
// Virtual batches run the kernels above on each group, into per-group sums that bn_group_gradients
// adds: one work-item per feature; dgamma[f] = sum over g < groups of group_dgamma[g * features + f],
// in order, and dbeta likewise.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_SPAN, BN_STORAGE, BN_FUSED (bn_storage.cl).

kernel void bn_backward_reduce_planar(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global float* partial, ulong partial_offset, ulong outer, ulong features_arg, ulong inner, ulong chunk_planes,
    local float* scratch)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(partial);
    FUSED_OPERAND(y);
    const index_t features = (index_t)features_arg, f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const index_t g = get_group_id(0);
    const index_t first = g * (index_t)chunk_planes, end = min((index_t)outer, first + (index_t)chunk_planes);
    const gradient_sums sums = planar_gradient_sums(dy, y, x, mean[f], f, features, (index_t)inner, first, end,
                                                    scratch);
    if (get_local_id(0) == 0 && get_local_id(1) == 0) {
        partial[(g * 3) * features + f] = sums.dy;
        partial[(g * 3 + 1) * features + f] = sums.dy_centered;
        partial[(g * 3 + 2) * features + f] = sums.centered;
    }
}

kernel void bn_backward_reduce_interleaved(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global float* partial, ulong partial_offset, ulong rows, ulong features_arg, ulong chunk_rows, ulong chunks,
    local float* scratch)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(partial);
    FUSED_OPERAND(y);
    const index_t features = (index_t)features_arg, column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    // a work-item past the last feature vector sums no rows but joins the lanes' barriers
    const int is_column = column < features;
    const index_t g = get_group_id(1);
    const index_t first = g * (index_t)chunk_rows, end = min((index_t)rows, first + (index_t)chunk_rows);
    floatv center[BN_SPAN], dy_total[BN_SPAN], dyx_total[BN_SPAN], x_total[BN_SPAN];
    interleaved_gradient_totals(dy, y, x, mean, features, column, is_column, first, end, scratch, center, dy_total,
                                dyx_total, x_total);
    for (int s = 0; s < BN_SPAN; ++s) {
        const index_t at = column + s * BN_VECTOR_WIDTH;
        if (is_column && get_local_id(1) == 0) {
            store_v(dy_total[s], partial + (g * 3) * features + at);
            store_v(dyx_total[s], partial + (g * 3 + 1) * features + at);
            store_v(x_total[s], partial + (g * 3 + 2) * features + at);
        }
    }
}

kernel void bn_backward_merge(
    global const float* partial, ulong partial_offset, global const float* invstd, ulong invstd_offset,
    global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset,
    global float* residual, ulong residual_offset, ulong chunks, ulong features_arg, float reduction_scale,
    int uses_batch_statistics, local float* scratch)
{
    AT_OFFSET(partial); AT_OFFSET(invstd); AT_OFFSET(dgamma); AT_OFFSET(dbeta); AT_OFFSET(residual);
    const index_t features = (index_t)features_arg, f = merge_feature(), stride = 3 * features;
    const int is_feature = f < features;
    const float sum_dy = ordered_sum(partial, (index_t)chunks, stride, f, is_feature, scratch);
    const float sum_dy_centered = ordered_sum(partial, (index_t)chunks, stride, features + f, is_feature, scratch);
    const float shift = ordered_sum(partial, (index_t)chunks, stride, 2 * features + f,
                                    is_feature && uses_batch_statistics, scratch) * reduction_scale;
    if (!is_feature || get_local_id(0) != 0) return;
    dbeta[f] = sum_dy;
    dgamma[f] = centered_dgamma(sum_dy, sum_dy_centered, shift, invstd[f]);
    residual[f] = shift;
}

kernel void bn_backward_sums(
    global const float* partial, ulong partial_offset, global float* sums, ulong sums_offset, ulong chunks,
    ulong features_arg, local float* scratch)
{
    AT_OFFSET(partial); AT_OFFSET(sums);
    const index_t features = (index_t)features_arg, f = merge_feature();
    const int is_feature = f < features;
    for (index_t k = 0; k < 3; ++k) {
        const float sum = ordered_sum(partial, (index_t)chunks, 3 * features, k * features + f, is_feature, scratch);
        if (is_feature && get_local_id(0) == 0) sums[k * features + f] = sum;
    }
}

kernel void bn_backward_dx_planar(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global const float* residual, ulong residual_offset, global const float* invstd, ulong invstd_offset,
    global const float* gamma, ulong gamma_offset, global const float* dgamma, ulong dgamma_offset,
    global const float* dbeta, ulong dbeta_offset, global tensor_t* dx, ulong dx_offset, global tensor_t* dz,
    ulong dz_offset, ulong outer, ulong features_arg, ulong inner_arg, ulong planes_per_item, float reduction_scale,
    int uses_batch_statistics)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(residual); AT_OFFSET(invstd);
    AT_OFFSET(gamma); AT_OFFSET(dgamma); AT_OFFSET(dbeta); AT_OFFSET(dx); AT_OFFSET(dz);
    FUSED_OPERAND(y); FUSED_OPERAND(dz);
    const gradient_tensors tensors = { dy, y, x, dx, dz };
    const index_t features = (index_t)features_arg, inner = (index_t)inner_arg;
    index_t first, end;
    block_of_work_item((index_t)outer * features, (index_t)planes_per_item, &first, &end);
    for (index_t plane = first + get_local_id(1); plane < end; plane += get_local_size(1)) {
        const index_t f = plane % features;
        const gradient_terms terms = gradient_terms_of(f, mean, residual[f], invstd, gamma, dgamma[f], dbeta[f],
                                                       reduction_scale);
        input_gradient_plane(tensors, plane * inner, inner, terms, uses_batch_statistics, get_global_id(0),
                             get_global_size(0));
    }
}

kernel void bn_backward_dx_interleaved(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global const float* residual, ulong residual_offset, global const float* invstd, ulong invstd_offset,
    global const float* gamma, ulong gamma_offset, global const float* dgamma, ulong dgamma_offset,
    global const float* dbeta, ulong dbeta_offset, global tensor_t* dx, ulong dx_offset, global tensor_t* dz,
    ulong dz_offset, ulong rows, ulong features_arg, ulong rows_per_item, float reduction_scale,
    int uses_batch_statistics)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(residual); AT_OFFSET(invstd);
    AT_OFFSET(gamma); AT_OFFSET(dgamma); AT_OFFSET(dbeta); AT_OFFSET(dx); AT_OFFSET(dz);
    FUSED_OPERAND(y); FUSED_OPERAND(dz);
    const gradient_features constants = { mean, residual, invstd, gamma, dgamma, dbeta };
    index_t first, end;
    block_of_work_item((index_t)rows, (index_t)rows_per_item, &first, &end);
    const index_t features = (index_t)features_arg, t = get_global_id(0), step = get_global_size(0);
    const index_t mine = first + get_local_id(1), lanes = get_local_size(1);
    const gradient_tensors tensors = { dy, y, x, dx, dz };
    input_gradient_rows(tensors, constants, features, mine, end, lanes, t, step, reduction_scale,
                        uses_batch_statistics);
}

kernel void bn_backward_resident(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global const float* invstd, ulong invstd_offset, global const float* gamma, ulong gamma_offset,
    global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset, global tensor_t* dx,
    ulong dx_offset, global tensor_t* dz, ulong dz_offset, ulong outer_arg, ulong features_arg, ulong inner_arg,
    float reduction_scale, local float* scratch)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(invstd); AT_OFFSET(gamma);
    AT_OFFSET(dgamma); AT_OFFSET(dbeta); AT_OFFSET(dx); AT_OFFSET(dz);
    FUSED_OPERAND(y); FUSED_OPERAND(dz);
    const index_t outer = (index_t)outer_arg, features = (index_t)features_arg, inner = (index_t)inner_arg;
    const index_t f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const gradient_sums sums = planar_gradient_sums(dy, y, x, mean[f], f, features, inner, 0, outer, scratch);
    const float residual = sums.centered * reduction_scale;
    const float feature_dgamma = centered_dgamma(sums.dy, sums.dy_centered, residual, invstd[f]);
    if (get_local_id(0) == 0 && get_local_id(1) == 0) {
        dbeta[f] = sums.dy;
        dgamma[f] = feature_dgamma;
    }
    const gradient_terms terms = gradient_terms_of(f, mean, residual, invstd, gamma, feature_dgamma, sums.dy,
                                                   reduction_scale);
    const gradient_tensors tensors = { dy, y, x, dx, dz };
    for (index_t o = get_local_id(1); o < outer; o += get_local_size(1)) {
        input_gradient_plane(tensors, (o * features + f) * inner, inner, terms, 1, get_local_id(0), get_local_size(0));
    }
}

kernel void bn_backward_resident_interleaved(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global const float* invstd, ulong invstd_offset, global const float* gamma, ulong gamma_offset,
    global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset, global tensor_t* dx,
    ulong dx_offset, global tensor_t* dz, ulong dz_offset, ulong rows_arg, ulong features_arg,
    float reduction_scale, local float* scratch)
{
    AT_OFFSET(dy); AT_OFFSET(y); AT_OFFSET(x); AT_OFFSET(mean); AT_OFFSET(invstd); AT_OFFSET(gamma);
    AT_OFFSET(dgamma); AT_OFFSET(dbeta); AT_OFFSET(dx); AT_OFFSET(dz);
    FUSED_OPERAND(y); FUSED_OPERAND(dz);
    const index_t rows = (index_t)rows_arg, features = (index_t)features_arg;
    const index_t column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    // a work-item past the last feature vector sums no rows but joins the lanes' barriers
    const int is_column = column < features;
    const index_t at_column = is_column ? column : 0, lanes = get_local_size(1);
    const index_t mine = is_column ? get_local_id(1) : rows;
    floatv center[BN_SPAN], dy_total[BN_SPAN], dyx_total[BN_SPAN], x_total[BN_SPAN];
    interleaved_gradient_totals(dy, y, x, mean, features, column, is_column, 0, rows, scratch, center, dy_total,
                                dyx_total, x_total);
    // dx = scale * ((dy - mean_dy) - ((x - center) - residual) * slope), per feature vector, as
    // bn_backward_merge and input_gradient_rows make them
    floatv residual[BN_SPAN], scale[BN_SPAN], mean_dy[BN_SPAN], slope[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        const index_t at = at_column + s * BN_VECTOR_WIDTH;
        const floatv inverse_std = load_v(invstd + at);
        residual[s] = x_total[s] * reduction_scale;
        const floatv feature_dgamma = fma(-residual[s], dy_total[s], dyx_total[s]) * inverse_std;
        if (is_column && get_local_id(1) == 0) {
            store_v(dy_total[s], dbeta + at);
            store_v(feature_dgamma, dgamma + at);
        }
        scale[s] = (gamma ? load_v(gamma + at) : (floatv)(1.0f)) * inverse_std;
        mean_dy[s] = dy_total[s] * reduction_scale;
        slope[s] = inverse_std * feature_dgamma * reduction_scale;
    }
    for (index_t r = mine; r < rows; r += lanes) {
        for (int s = 0; s < BN_SPAN; ++s) {
            const index_t at = r * features + column + s * BN_VECTOR_WIDTH;
            const floatv gradient = gradient_v(dy, y, at);
            if (dz) store_t_v(gradient, dz + at);
            store_t_v(INPUT_GRADIENT(gradient, load_t_v(x + at), center[s], residual[s], scale[s], mean_dy[s],
                                     slope[s], 1),
                      dx + at);
        }
    }
}

kernel void bn_renorm_gain(
    global const float* gamma, ulong gamma_offset, global const float* r, ulong r_offset, global float* gain,
    ulong gain_offset, ulong features)
{
    AT_OFFSET(gamma); AT_OFFSET(r); AT_OFFSET(gain);
    const index_t f = get_global_id(0);
    if (f >= (index_t)features) return;
    gain[f] = (gamma ? gamma[f] : 1.0f) * r[f];
}

kernel void bn_renorm_gradient(
    global const float* r, ulong r_offset, global const float* d, ulong d_offset, global float* dgamma,
    ulong dgamma_offset, global const float* dbeta, ulong dbeta_offset, ulong features)
{
    AT_OFFSET(r); AT_OFFSET(d); AT_OFFSET(dgamma); AT_OFFSET(dbeta);
    const index_t f = get_global_id(0);
    if (f >= (index_t)features) return;
    dgamma[f] = fma(r[f], dgamma[f], d[f] * dbeta[f]);
}

kernel void bn_group_gradients(
    global const float* group_dgamma, ulong group_dgamma_offset, global const float* group_dbeta,
    ulong group_dbeta_offset, global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset,
    ulong features_arg, ulong groups)
{
    AT_OFFSET(group_dgamma); AT_OFFSET(group_dbeta); AT_OFFSET(dgamma); AT_OFFSET(dbeta);
    const index_t f = get_global_id(0), features = (index_t)features_arg;
    if (f >= features) return;
    const float2 sums = group_sums(group_dgamma, group_dbeta, f, features, (index_t)groups);
    dgamma[f] = sums.x;
    dbeta[f] = sums.y;
}
