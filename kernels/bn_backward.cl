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
// sign (relu_masked, bn_common.cl), and the dx kernels also write it to dz (NULL: not wanted), the
// gradient of z. dy, x, y, dx and dz are tensor_t (bn_common.cl).
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
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_SPAN, BN_STORAGE (bn_common.cl).

// The sum of values[g * stride + offset] for g = 0 ..< count, by the lanes of a merge kernel's row
// (bn_statistics.cl's layout of bn_stats_merge): lane l adds g = l, l + L, ... in order, compensated,
// and the lanes' sums meet by row_total, returned to each lane. Every work-item of the group calls
// it (it holds barriers); a row with is_feature 0 adds nothing.
float ordered_sum(global const float* values, index_t count, index_t stride, index_t offset, int is_feature,
                  local float* scratch)
{
    float sum = 0.0f, compensation = 0.0f;
    for (index_t g = get_local_id(0); is_feature && g < count; g += get_local_size(0)) {
        compensated_add(&sum, &compensation, values[g * stride + offset]);
    }
    return row_total(scratch, sum - compensation);
}

// The gradient vector at `at`: dy, masked by the fused output y's sign when y is given.
floatv gradient_v(global const tensor_t* dy, global const tensor_t* y, index_t at)
{
    const floatv gradient = load_t(dy + at);
    return y ? relu_masked_v(gradient, load_t(y + at)) : gradient;
}

// gradient_v for one value.
float gradient_1(global const tensor_t* dy, global const tensor_t* y, index_t at)
{
    const float gradient = load_t1(dy + at);
    return y ? relu_masked(gradient, load_t1(y + at)) : gradient;
}

// A feature's backward sums: sum dy, sum dy * (x - center) and sum (x - center).
typedef struct {
    float dy;
    float dy_centered;
    float centered;
} gradient_sums;

// The gradient sums of feature f over planes [first_plane, end_plane), split over the group as
// planar_moments splits them (bn_common.cl) and returned to every work-item (it holds barriers);
// scratch holds get_local_size(0) * get_local_size(1) floats.
gradient_sums planar_gradient_sums_with(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                                        float center, index_t f, index_t features, index_t inner, index_t first_plane,
                                        index_t end_plane, local float* scratch)
{
    const uint lid = get_local_id(0), size = get_local_size(0);
    const index_t vectors = inner / BN_VECTOR_WIDTH, tail = vectors * BN_VECTOR_WIDTH;
    accumulator_v dy_v = accumulator_v_zero(), dyx_v = accumulator_v_zero(), x_v = accumulator_v_zero();
    float dy_s = 0.0f, dy_sc = 0.0f, dyx_s = 0.0f, dyx_sc = 0.0f, x_s = 0.0f, x_sc = 0.0f;
    for (index_t o = first_plane + get_local_id(1); o < end_plane; o += get_local_size(1)) {
        const index_t base = (o * features + f) * inner;
        for (index_t v = lid; v < vectors; v += size) {
            const index_t at = base + v * BN_VECTOR_WIDTH;
            const floatv gradient = gradient_v(dy, y, at), centered = load_t(x + at) - center;
            accumulator_v_add(&dy_v, gradient);
            accumulator_v_add(&dyx_v, gradient * centered);
            accumulator_v_add(&x_v, centered);
        }
        for (index_t i = tail + lid; i < inner; i += size) {
            const float gradient = gradient_1(dy, y, base + i), centered = load_t1(x + base + i) - center;
            compensated_add(&dy_s, &dy_sc, gradient);
            compensated_add(&dyx_s, &dyx_sc, gradient * centered);
            compensated_add(&x_s, &x_sc, centered);
        }
    }
    gradient_sums sums;
    sums.dy = group_total(scratch, lanes_total(dy_v, dy_s, dy_sc));
    sums.dy_centered = group_total(scratch, lanes_total(dyx_v, dyx_s, dyx_sc));
    sums.centered = group_total(scratch, lanes_total(x_v, x_s, x_sc));
    return sums;
}

// planar_gradient_sums_with, with an absent y as a constant (bn_common.cl, "Fused operations and loops").
gradient_sums planar_gradient_sums(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                                   float center, index_t f, index_t features, index_t inner, index_t first_plane,
                                   index_t end_plane, local float* scratch)
{
    return y ? planar_gradient_sums_with(dy, y, x, center, f, features, inner, first_plane, end_plane, scratch)
             : planar_gradient_sums_with(dy, 0, x, center, f, features, inner, first_plane, end_plane, scratch);
}

// Adds rows first, first + step, ... below end of the interleaved view to the BN_SPAN feature vectors'
// sums from `column`.
void interleaved_gradient_rows_with(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                                    index_t features, index_t column, index_t first, index_t end, index_t step,
                                    const floatv* center, accumulator_v* sum_dy, accumulator_v* sum_dyx,
                                    accumulator_v* sum_x)
{
    for (index_t r = first; r < end; r += step) {
        for (int s = 0; s < BN_SPAN; ++s) {
            const index_t at = r * features + column + s * BN_VECTOR_WIDTH;
            const floatv gradient = gradient_v(dy, y, at), centered = load_t(x + at) - center[s];
            accumulator_v_add(&sum_dy[s], gradient);
            accumulator_v_add(&sum_dyx[s], gradient * centered);
            accumulator_v_add(&sum_x[s], centered);
        }
    }
}

// dgamma from the sums about `center` when the batch mean is center + residual:
// sum dy * (x - center - residual) = sum dy * (x - center) - residual * sum dy.
float centered_dgamma(float sum_dy, float sum_dy_centered, float residual, float invstd)
{
    return fma(-residual, sum_dy, sum_dy_centered) * invstd;
}

kernel void bn_backward_reduce_planar(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global float* partial, ulong partial_offset, ulong outer, ulong features_arg, ulong inner, ulong chunk_planes,
    local float* scratch)
{
    BN_AT(dy); BN_AT(y); BN_AT(x); BN_AT(mean); BN_AT(partial);
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
    BN_AT(dy); BN_AT(y); BN_AT(x); BN_AT(mean); BN_AT(partial);
    const index_t features = (index_t)features_arg, column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    // a work-item past the last feature vector sums no rows but joins the lanes' barriers
    const int is_column = column < features;
    const index_t g = get_group_id(1), lanes = get_local_size(1), at_column = is_column ? column : 0;
    const index_t first = g * (index_t)chunk_rows, end = min((index_t)rows, first + (index_t)chunk_rows);
    const index_t mine = is_column ? first + get_local_id(1) : end;
    floatv center[BN_SPAN];
    accumulator_v sum_dy[BN_SPAN], sum_dyx[BN_SPAN], sum_x[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        center[s] = load_v(mean + at_column + s * BN_VECTOR_WIDTH);
        sum_dy[s] = accumulator_v_zero();
        sum_dyx[s] = accumulator_v_zero();
        sum_x[s] = accumulator_v_zero();
    }
    if (y) {
        interleaved_gradient_rows_with(dy, y, x, features, at_column, mine, end, lanes, center, sum_dy, sum_dyx, sum_x);
    } else {
        interleaved_gradient_rows_with(dy, 0, x, features, at_column, mine, end, lanes, center, sum_dy, sum_dyx, sum_x);
    }
    for (int s = 0; s < BN_SPAN; ++s) {
        const index_t at = column + s * BN_VECTOR_WIDTH;
        const floatv dy_total = lane_total_v(scratch, accumulator_v_lanes(sum_dy[s]));
        const floatv dyx_total = lane_total_v(scratch, accumulator_v_lanes(sum_dyx[s]));
        const floatv x_total = lane_total_v(scratch, accumulator_v_lanes(sum_x[s]));
        if (is_column && get_local_id(1) == 0) {
            store_v(dy_total, partial + (g * 3) * features + at);
            store_v(dyx_total, partial + (g * 3 + 1) * features + at);
            store_v(x_total, partial + (g * 3 + 2) * features + at);
        }
    }
}

kernel void bn_backward_merge(
    global const float* partial, ulong partial_offset, global const float* invstd, ulong invstd_offset,
    global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset,
    global float* residual, ulong residual_offset, ulong chunks, ulong features_arg, float reduction_scale,
    int uses_batch_statistics, local float* scratch)
{
    BN_AT(partial); BN_AT(invstd); BN_AT(dgamma); BN_AT(dbeta); BN_AT(residual);
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
    BN_AT(partial); BN_AT(sums);
    const index_t features = (index_t)features_arg, f = merge_feature();
    const int is_feature = f < features;
    for (index_t k = 0; k < 3; ++k) {
        const float sum = ordered_sum(partial, (index_t)chunks, 3 * features, k * features + f, is_feature, scratch);
        if (is_feature && get_local_id(0) == 0) sums[k * features + f] = sum;
    }
}

// dx for one gradient and value, the same for a float and for a vector: with batch statistics
// scale * ((gradient - mean_dy) - ((value - center) - center_lo) * slope), without scale * gradient.
#define input_gradient(gradient, value, center, center_lo, scale, mean_dy, slope, uses_batch_statistics) \
    ((uses_batch_statistics) \
        ? (scale) * (((gradient) - (mean_dy)) - (((value) - (center)) - (center_lo)) * (slope)) : (scale) * (gradient))

// The per-feature constants of dx = scale * ((dy - mean_dy) - ((x - center) - center_lo) * slope).
typedef struct {
    float center;
    float center_lo;
    float scale;
    float mean_dy;
    float slope;
} gradient_terms;

gradient_terms gradient_terms_of(index_t f, global const float* mean, float residual, global const float* invstd,
                                 global const float* gamma, float dgamma, float dbeta, float reduction_scale)
{
    gradient_terms terms;
    terms.center = mean[f];
    terms.center_lo = residual;
    terms.scale = (gamma ? gamma[f] : 1.0f) * invstd[f];
    terms.mean_dy = dbeta * reduction_scale;
    terms.slope = invstd[f] * dgamma * reduction_scale;
    return terms;
}

// The tensors of a dx kernel: what it reads (dy, the fused output y or NULL, x) and writes (dx, and dz or NULL).
typedef struct {
    global const tensor_t* dy;
    global const tensor_t* y;
    global const tensor_t* x;
    global tensor_t* dx;
    global tensor_t* dz;
} gradient_tensors;

// dx over one plane (inner values at base), vectors first, first + step, ..., then the tail values;
// dz too when fused with an addition.
void input_gradient_plane_with(gradient_tensors t, index_t base, index_t inner, gradient_terms terms,
                               int uses_batch_statistics, index_t first, index_t step)
{
    const index_t vectors = inner / BN_VECTOR_WIDTH;
    for (index_t v = first; v < vectors; v += step) {
        const index_t at = base + v * BN_VECTOR_WIDTH;
        const floatv gradient = gradient_v(t.dy, t.y, at), value = load_t(t.x + at);
        if (t.dz) store_t(gradient, t.dz + at);
        store_t(input_gradient(gradient, value, terms.center, terms.center_lo, terms.scale, terms.mean_dy, terms.slope,
                               uses_batch_statistics),
                t.dx + at);
    }
    for (index_t i = vectors * BN_VECTOR_WIDTH + first; i < inner; i += step) {
        const index_t at = base + i;
        const float gradient = gradient_1(t.dy, t.y, at), value = load_t1(t.x + at);
        if (t.dz) store_t1(gradient, t.dz + at);
        store_t1(input_gradient(gradient, value, terms.center, terms.center_lo, terms.scale, terms.mean_dy, terms.slope,
                                uses_batch_statistics),
                 t.dx + at);
    }
}

// input_gradient_plane_with, with an absent y and dz as constants (bn_common.cl, "Fused operations and loops").
void input_gradient_plane(gradient_tensors t, index_t base, index_t inner, gradient_terms terms,
                          int uses_batch_statistics, index_t first, index_t step)
{
    if (t.y || t.dz) {
        input_gradient_plane_with(t, base, inner, terms, uses_batch_statistics, first, step);
    } else {
        const gradient_tensors plain = { t.dy, 0, t.x, t.dx, 0 };
        input_gradient_plane_with(plain, base, inner, terms, uses_batch_statistics, first, step);
    }
}

// The per-feature arrays of the interleaved dx kernel, as it takes them.
typedef struct {
    global const float* mean;
    global const float* residual;
    global const float* invstd;
    global const float* gamma;
    global const float* dgamma;
    global const float* dbeta;
} gradient_features;

// dx (and dz) over rows first, first + row_step, ... below end of the interleaved view, feature
// vectors t, t + step, ...
void input_gradient_rows_with(gradient_tensors tensors, gradient_features c, index_t features, index_t first,
                              index_t end, index_t row_step, index_t t, index_t step, float reduction_scale,
                              int uses_batch_statistics)
{
    const index_t vectors = features / BN_VECTOR_WIDTH;
    for (index_t r = first; r < end; r += row_step) {
        for (index_t v = t; v < vectors; v += step) {
            const index_t column = v * BN_VECTOR_WIDTH, at = r * features + column;
            const floatv inverse_std = load_v(c.invstd + column);
            const floatv scale = (c.gamma ? load_v(c.gamma + column) : (floatv)(1.0f)) * inverse_std;
            const floatv gradient = gradient_v(tensors.dy, tensors.y, at);
            if (tensors.dz) store_t(gradient, tensors.dz + at);
            store_t(input_gradient(gradient, load_t(tensors.x + at), load_v(c.mean + column), load_v(c.residual + column),
                                   scale, load_v(c.dbeta + column) * reduction_scale,
                                   inverse_std * load_v(c.dgamma + column) * reduction_scale, uses_batch_statistics),
                    tensors.dx + at);
        }
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
    BN_AT(dy); BN_AT(y); BN_AT(x); BN_AT(mean); BN_AT(residual); BN_AT(invstd); BN_AT(gamma); BN_AT(dgamma);
    BN_AT(dbeta); BN_AT(dx); BN_AT(dz);
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
    BN_AT(dy); BN_AT(y); BN_AT(x); BN_AT(mean); BN_AT(residual); BN_AT(invstd); BN_AT(gamma); BN_AT(dgamma);
    BN_AT(dbeta); BN_AT(dx); BN_AT(dz);
    const gradient_features constants = { mean, residual, invstd, gamma, dgamma, dbeta };
    index_t first, end;
    block_of_work_item((index_t)rows, (index_t)rows_per_item, &first, &end);
    const index_t features = (index_t)features_arg, t = get_global_id(0), step = get_global_size(0);
    const index_t mine = first + get_local_id(1), lanes = get_local_size(1);
    if (y || dz) {
        const gradient_tensors tensors = { dy, y, x, dx, dz };
        input_gradient_rows_with(tensors, constants, features, mine, end, lanes, t, step, reduction_scale,
                                 uses_batch_statistics);
    } else {
        const gradient_tensors tensors = { dy, 0, x, dx, 0 };
        input_gradient_rows_with(tensors, constants, features, mine, end, lanes, t, step, reduction_scale,
                                 uses_batch_statistics);
    }
}

kernel void bn_backward_resident(
    global const tensor_t* dy, ulong dy_offset, global const tensor_t* y, ulong y_offset,
    global const tensor_t* x, ulong x_offset, global const float* mean, ulong mean_offset,
    global const float* invstd, ulong invstd_offset, global const float* gamma, ulong gamma_offset,
    global float* dgamma, ulong dgamma_offset, global float* dbeta, ulong dbeta_offset, global tensor_t* dx,
    ulong dx_offset, global tensor_t* dz, ulong dz_offset, ulong outer_arg, ulong features_arg, ulong inner_arg,
    float reduction_scale, local float* scratch)
{
    BN_AT(dy); BN_AT(y); BN_AT(x); BN_AT(mean); BN_AT(invstd); BN_AT(gamma); BN_AT(dgamma); BN_AT(dbeta); BN_AT(dx);
    BN_AT(dz);
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
