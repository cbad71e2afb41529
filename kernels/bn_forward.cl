// bn_forward.cl: y = gamma * ((x - mean) - mean_lo) * (invstd + invstd_lo) + beta, per element, then
// the fused operation: y + z when z is given (BN + Add), relu when fuse_relu is set (BN + ReLU, and
// with z the residual block's relu(bn(x) + z)), all in float and stored once.
//
// bn_normalize_planar: reads x[outer * features * inner] (tensor_t, bn_storage.cl), mean[features],
//   mean_lo[features] or NULL, invstd[features] and invstd_lo[features] or NULL, or, built with
//   BN_FROM_VARIANCE, variance[features] instead (then invstd + invstd_lo = 1 / sqrt(variance +
//   epsilon) is computed here, as bn_inverse_std would, and invstd may be NULL), gamma[features] or
//   NULL (1), beta[features] or NULL (0), z (x's shape and type) or NULL; writes y (may be x or z).
//   Range (G0, B1 * P, B2), work-groups (G0, P, 1): group (., b1, b2) takes the block of planes
//   [b * planes_per_item, (b + 1) * planes_per_item) with b = b2 * B1 + b1 (a plane is o * features + f),
//   its lane p (dimension 1) the planes first + p, first + p + P, ... of it (P > 1 fills a GPU's group
//   when planes are short), and work-item t of the lane the vectors t, t + G0, ... of each (and the
//   floats past the last whole vector likewise). B1, B2 <= 65535; blocks past the end do nothing.
//   fuse_relu != 0 applies relu to the sum. z and fuse_relu are read only in the BN_FUSED build.
// bn_normalize_interleaved: the same arrays for the view [rows][features] (BN_VECTOR_WIDTH divides
//   features). Range and work-groups as bn_normalize_planar's, with rows for planes: lane p of group
//   (., b1, b2) takes rows first + p, first + p + P, ... of [b * rows_per_item, ...), and work-item t
//   of it the feature vectors t, t + G0, ... of each; a work-item of one feature vector (G0 at least the row's
//   vectors, as on GPUs) works out its constants once, so that computing invstd from variance costs
//   nothing per value; others load them (or compute them) for every value.
// bn_forward_training_resident: batch statistics and normalization in one kernel, for planar
//   features small enough to stay in cache: work-group f (dimensions 1 and 2, as bn_stats_chunk_planar)
//   reads feature f for its moments (bn_moments.cl), writes mean, mean_lo, invstd, invstd_lo and the running
//   statistics (or batch_variance) as bn_stats_merge does, then normalizes the feature, whose values are read again from
//   cache, with z and fuse_relu as bn_normalize_planar; with renorm_r given, it writes the renorm
//   outputs as bn_stats_merge does and normalizes with them. Range (WG, F1 * P, F2), work-groups (WG, P, 1),
//   split over planes and lanes as bn_stats_chunk_planar; scratch holds WG * P floats.
// bn_forward_training_resident_interleaved: the same for interleaved features whose rows' BN_SPAN
//   vectors stay in cache together: work-item (v, l) takes the feature vectors of
//   bn_stats_chunk_interleaved's work-item v over every row, as one chunk (interleaved_moments,
//   bn_moments.cl), row lane 0 writes each feature's statistics as bn_stats_merge does, and the lanes
//   then normalize their rows, read again from cache. Range (round_up(features / (W * BN_SPAN), LX), LY),
//   work-groups (LX, LY); scratch holds LX * LY * W floats.
// Training passes the batch mean as mean + mean_lo and invstd + invstd_lo (bn_stats_merge), or, when
// it renormalizes, renorm_scale + renorm_scale_lo for invstd and renorm_shift for beta; inference
// passes the running mean and NULL, and the running variance, so that it is one kernel (or, where an
// interleaved work-item takes several feature vectors, invstd + invstd_lo from bn_inverse_std).
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_STORAGE, BN_FUSED, BN_FROM_VARIANCE (bn_storage.cl).

// y for x, the same for a float and for a vector: ((x - center) - center_lo) * (scale + scale_lo) + shift,
// with x - center split exactly into its rounding and its error (TwoSum), so that y is about one
// rounding from exact: scale's own rounding (float32's 3e-8 relative) would otherwise double y's error.
// Arguments appear more than once: pass values, not loads, and one type for all (fma mixes none).
#define NORMALIZED(value, center, center_lo, scale, scale_lo, shift) \
    fma((value) - (center), (scale), \
        fma((value) - (center), (scale_lo), \
            fma(TWO_SUM_ERROR((value), -(center), (value) - (center)) - (center_lo), (scale), (shift))))

// The fused output for a normalized value or vector: + z's at `at` when z is given, then relu when
// asked; fused_1 and fused_v.
#define FUSED(form, type) \
    type fused##form(type value, global const tensor_t* z, index_t at, int fuse_relu) \
    { \
        const type sum = z ? value + load_t##form(z + at) : value; \
        return fuse_relu ? relu##form(sum) : sum; \
    }
FUSED(_v, floatv)
FUSED(_1, float)

// One step of normalize_plane's walk, in either form (fma takes no mixed vector and float arguments,
// so that the constants are cast to the form's type).
#define NORMALIZE_STEP(form, type, at) \
    do { \
        const type value = load_t##form(x + (at)); \
        const type normal = NORMALIZED(value, (type)(center), (type)(center_lo), (type)(scale.x), (type)(scale.y), \
                                       (type)(shift)); \
        store_t##form(fused##form(normal, z, (at), fuse_relu), y + (at)); \
    } while (0)

// Normalizes one plane (inner values at base), with the fused operation, in WALK's order (bn_work.cl).
void normalize_plane(global const tensor_t* x, global tensor_t* y, global const tensor_t* z, int fuse_relu,
                     index_t base, index_t inner, float center, float center_lo, float2 scale, float shift,
                     index_t first, index_t step)
{
    WALK(base, inner, first, step, NORMALIZE_STEP, NORMALIZE_STEP);
}
#undef NORMALIZE_STEP

// The per-feature arrays of a normalization: mean (and its low part), invstd (and its low part) or
// variance, gamma and beta, each NULL where absent as the kernels take them, and epsilon.
typedef struct {
    global const float* mean;
    global const float* mean_lo;
    global const float* invstd;
    global const float* invstd_lo;
    global const float* variance;
    global const float* gamma;
    global const float* beta;
    float epsilon;
} feature_constants;

// The constants of y = NORMALIZED(x, center, center_lo, scale, scale_lo, shift) for one feature vector.
typedef struct {
    floatv center;
    floatv center_lo;
    floatv scale;
    floatv scale_lo;
    floatv shift;
} column_terms;

// column_terms for the feature vector that starts at `column`, from c.variance in the
// BN_FROM_VARIANCE build.
column_terms column_terms_of(feature_constants c, index_t column)
{
    column_terms k;
    k.center = load_v(c.mean + column);
    k.center_lo = c.mean_lo ? load_v(c.mean_lo + column) : (floatv)(0.0f);
    floatv inverse, inverse_lo;
#if BN_FROM_VARIANCE
    INVERSE_SQRT_SPLIT(floatv, load_v(c.variance + column), c.epsilon, inverse, inverse_lo);
#else
    inverse = load_v(c.invstd + column);
    inverse_lo = c.invstd_lo ? load_v(c.invstd_lo + column) : (floatv)(0.0f);
#endif
    const floatv gain = c.gamma ? load_v(c.gamma + column) : (floatv)(1.0f);
    k.scale = gain * inverse;
    k.scale_lo = SCALE_LO(gain, inverse, inverse_lo, k.scale);
    k.shift = c.beta ? load_v(c.beta + column) : (floatv)(0.0f);
    return k;
}

// y (with the fused operation) for the vector at `at` of a feature vector whose constants are k.
void normalize_vector(global const tensor_t* x, global tensor_t* y, global const tensor_t* z, int fuse_relu,
                      column_terms k, index_t at)
{
    const floatv value = load_t_v(x + at);
    store_t_v(fused_v(NORMALIZED(value, k.center, k.center_lo, k.scale, k.scale_lo, k.shift), z, at, fuse_relu),
              y + at);
}

// Normalizes rows first, first + row_step, ... below end of the interleaved view, feature vectors
// t, t + step, ..., with the fused operation. A work-item of one feature vector takes its constants
// once and walks down the rows; one of several takes each vector's constants (from cache) at each row.
void normalize_rows(global const tensor_t* x, global tensor_t* y, global const tensor_t* z, int fuse_relu,
                    feature_constants c, index_t features, index_t first, index_t end, index_t row_step,
                    index_t t, index_t step)
{
    const index_t vectors = features / BN_VECTOR_WIDTH;
    if (t + step >= vectors) {
        if (t >= vectors) return;
        const index_t column = t * BN_VECTOR_WIDTH;
        const column_terms k = column_terms_of(c, column);
        for (index_t r = first; r < end; r += row_step) {
            normalize_vector(x, y, z, fuse_relu, k, r * features + column);
        }
        return;
    }
    for (index_t r = first; r < end; r += row_step) {
        for (index_t v = t; v < vectors; v += step) {
            const index_t column = v * BN_VECTOR_WIDTH;
            normalize_vector(x, y, z, fuse_relu, column_terms_of(c, column), r * features + column);
        }
    }
}

// Normalizes the planes first + p, first + p + P, ... below end (lane p of P, dimension 1), taking
// each plane's inverse standard deviation from c.variance in the BN_FROM_VARIANCE build.
void normalize_planes(global const tensor_t* x, global tensor_t* y, global const tensor_t* z, int fuse_relu,
                      feature_constants c, index_t features, index_t inner, index_t first, index_t end)
{
    for (index_t plane = first + get_local_id(1); plane < end; plane += get_local_size(1)) {
        const index_t f = plane % features;
#if BN_FROM_VARIANCE
        const float2 inverse = inverse_sqrt_split(c.variance[f], c.epsilon);
#else
        const float2 inverse = (float2)(c.invstd[f], c.invstd_lo ? c.invstd_lo[f] : 0.0f);
#endif
        const float2 scale = scale_split(c.gamma ? c.gamma[f] : 1.0f, inverse.x, inverse.y);
        normalize_plane(x, y, z, fuse_relu, plane * inner, inner, c.mean[f], c.mean_lo ? c.mean_lo[f] : 0.0f, scale,
                        c.beta ? c.beta[f] : 0.0f, get_global_id(0), get_global_size(0));
    }
}

kernel void bn_normalize_planar(
    global const tensor_t* x, ulong x_offset, global tensor_t* y, ulong y_offset,
    global const float* mean, ulong mean_offset, global const float* mean_lo, ulong mean_lo_offset,
    global const float* invstd, ulong invstd_offset, global const float* invstd_lo, ulong invstd_lo_offset,
    global const float* variance, ulong variance_offset, global const float* gamma, ulong gamma_offset,
    global const float* beta, ulong beta_offset, global const tensor_t* z, ulong z_offset, ulong outer,
    ulong features_arg, ulong inner_arg, ulong planes_per_item, float epsilon, int fuse_relu)
{
    AT_OFFSET(x); AT_OFFSET(y); AT_OFFSET(mean); AT_OFFSET(mean_lo); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    AT_OFFSET(variance); AT_OFFSET(gamma); AT_OFFSET(beta); AT_OFFSET(z);
    FUSED_OPERAND(z); FUSED_OPERAND(fuse_relu);
    const feature_constants constants = { mean, mean_lo, invstd, invstd_lo, variance, gamma, beta, epsilon };
    index_t first, end;
    block_of_work_item((index_t)outer * (index_t)features_arg, (index_t)planes_per_item, &first, &end);
    normalize_planes(x, y, z, fuse_relu, constants, (index_t)features_arg, (index_t)inner_arg, first, end);
}

kernel void bn_normalize_interleaved(
    global const tensor_t* x, ulong x_offset, global tensor_t* y, ulong y_offset,
    global const float* mean, ulong mean_offset, global const float* mean_lo, ulong mean_lo_offset,
    global const float* invstd, ulong invstd_offset, global const float* invstd_lo, ulong invstd_lo_offset,
    global const float* variance, ulong variance_offset, global const float* gamma, ulong gamma_offset,
    global const float* beta, ulong beta_offset, global const tensor_t* z, ulong z_offset, ulong rows,
    ulong features_arg, ulong rows_per_item, float epsilon, int fuse_relu)
{
    AT_OFFSET(x); AT_OFFSET(y); AT_OFFSET(mean); AT_OFFSET(mean_lo); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    AT_OFFSET(variance); AT_OFFSET(gamma); AT_OFFSET(beta); AT_OFFSET(z);
    FUSED_OPERAND(z); FUSED_OPERAND(fuse_relu);
    const feature_constants constants = { mean, mean_lo, invstd, invstd_lo, variance, gamma, beta, epsilon };
    index_t first, end;
    block_of_work_item((index_t)rows, (index_t)rows_per_item, &first, &end);
    normalize_rows(x, y, z, fuse_relu, constants, (index_t)features_arg, first + get_local_id(1), end,
                   get_local_size(1), get_global_id(0), get_global_size(0));
}
kernel void bn_forward_training_resident(
    global const tensor_t* x, ulong x_offset, global tensor_t* y, ulong y_offset, global float* mean, ulong mean_offset,
    global float* mean_lo, ulong mean_lo_offset, global float* invstd, ulong invstd_offset,
    global float* invstd_lo, ulong invstd_lo_offset, global const float* gamma, ulong gamma_offset,
    global const float* beta, ulong beta_offset, global const tensor_t* z, ulong z_offset,
    global float* running_mean, ulong running_mean_offset, global float* running_variance,
    ulong running_variance_offset, global float* renorm_r, ulong renorm_r_offset, global float* renorm_d,
    ulong renorm_d_offset, global float* renorm_scale, ulong renorm_scale_offset, global float* renorm_scale_lo,
    ulong renorm_scale_lo_offset, global float* renorm_shift, ulong renorm_shift_offset, global float* batch_variance,
    ulong batch_variance_offset, ulong outer_arg,
    ulong features_arg, ulong inner_arg, float epsilon, float keep, float take, float variance_divisor, float r_max,
    float d_max, int fuse_relu, local float* scratch)
{
    AT_OFFSET(x); AT_OFFSET(y); AT_OFFSET(mean); AT_OFFSET(mean_lo); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    AT_OFFSET(gamma); AT_OFFSET(beta); AT_OFFSET(z); AT_OFFSET(running_mean); AT_OFFSET(running_variance);
    AT_OFFSET(renorm_r); AT_OFFSET(renorm_d); AT_OFFSET(renorm_scale); AT_OFFSET(renorm_scale_lo);
    AT_OFFSET(renorm_shift); AT_OFFSET(batch_variance);
    FUSED_OPERAND(z); FUSED_OPERAND(fuse_relu);
    const renorm_target renorm = { renorm_r, renorm_d, renorm_scale, renorm_scale_lo, renorm_shift, gamma, beta,
                                   r_max, d_max };
    const index_t outer = (index_t)outer_arg, features = (index_t)features_arg, inner = (index_t)inner_arg;
    const index_t f = planar_feature_of_group();
    if (f >= features) return; // the whole group returns: f is its own
    const moments total = planar_moments(x, f, features, inner, 0, outer, scratch);
    if (get_local_id(0) == 0 && get_local_id(1) == 0) {
        store_feature_statistics(f, total, (float)(outer * inner), epsilon, keep, take, variance_divisor,
                                 mean, mean_lo, invstd, invstd_lo, running_mean, running_variance, renorm,
                                 batch_variance);
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    // renormalized: invstd * r for invstd and gamma * d + beta for beta (renorm_target, bn_moments.cl)
    const float2 scale = renorm_r ? scale_split(gamma ? gamma[f] : 1.0f, renorm_scale[f], renorm_scale_lo[f])
                                  : scale_split(gamma ? gamma[f] : 1.0f, invstd[f], invstd_lo[f]);
    const float shift = renorm_r ? renorm_shift[f] : (beta ? beta[f] : 0.0f);
    const float center = mean[f], center_lo = mean_lo[f];
    for (index_t o = get_local_id(1); o < outer; o += get_local_size(1)) {
        normalize_plane(x, y, z, fuse_relu, (o * features + f) * inner, inner, center, center_lo, scale, shift,
                        get_local_id(0), get_local_size(0));
    }
}

kernel void bn_forward_training_resident_interleaved(
    global const tensor_t* x, ulong x_offset, global tensor_t* y, ulong y_offset, global float* mean, ulong mean_offset,
    global float* mean_lo, ulong mean_lo_offset, global float* invstd, ulong invstd_offset,
    global float* invstd_lo, ulong invstd_lo_offset, global const float* gamma, ulong gamma_offset,
    global const float* beta, ulong beta_offset, global const tensor_t* z, ulong z_offset,
    global float* running_mean, ulong running_mean_offset, global float* running_variance,
    ulong running_variance_offset, global float* renorm_r, ulong renorm_r_offset, global float* renorm_d,
    ulong renorm_d_offset, global float* renorm_scale, ulong renorm_scale_offset, global float* renorm_scale_lo,
    ulong renorm_scale_lo_offset, global float* renorm_shift, ulong renorm_shift_offset, global float* batch_variance,
    ulong batch_variance_offset, ulong rows_arg, ulong features_arg, float epsilon, float keep, float take,
    float variance_divisor, float r_max, float d_max, int fuse_relu, local float* scratch)
{
    AT_OFFSET(x); AT_OFFSET(y); AT_OFFSET(mean); AT_OFFSET(mean_lo); AT_OFFSET(invstd); AT_OFFSET(invstd_lo);
    AT_OFFSET(gamma); AT_OFFSET(beta); AT_OFFSET(z); AT_OFFSET(running_mean); AT_OFFSET(running_variance);
    AT_OFFSET(renorm_r); AT_OFFSET(renorm_d); AT_OFFSET(renorm_scale); AT_OFFSET(renorm_scale_lo);
    AT_OFFSET(renorm_shift); AT_OFFSET(batch_variance);
    FUSED_OPERAND(z); FUSED_OPERAND(fuse_relu);
    const renorm_target renorm = { renorm_r, renorm_d, renorm_scale, renorm_scale_lo, renorm_shift, gamma, beta,
                                   r_max, d_max };
    const index_t rows = (index_t)rows_arg, features = (index_t)features_arg;
    const index_t column = get_global_id(0) * (BN_VECTOR_WIDTH * BN_SPAN);
    // a work-item past the last feature vector sums no rows but joins the lanes' barriers
    const int is_column = column < features;
    floatv center[BN_SPAN], residual[BN_SPAN], squares[BN_SPAN];
    interleaved_moments(x, features, column, is_column, 0, rows, scratch, center, residual, squares);
    if (is_column && get_local_id(1) == 0) {
        for (int s = 0; s < BN_SPAN; ++s) {
            float centers[BN_VECTOR_WIDTH], residuals[BN_VECTOR_WIDTH], squared[BN_VECTOR_WIDTH];
            store_v(center[s], centers);
            store_v(residual[s], residuals);
            store_v(squares[s], squared);
            for (int lane = 0; lane < BN_VECTOR_WIDTH; ++lane) {
                const moments total = { centers[lane], residuals[lane], squared[lane] };
                store_feature_statistics(column + s * BN_VECTOR_WIDTH + lane, total, (float)rows, epsilon, keep, take,
                                         variance_divisor, mean, mean_lo, invstd, invstd_lo, running_mean,
                                         running_variance, renorm, batch_variance);
            }
        }
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    if (!is_column) return;
    // renormalized: invstd * r for invstd and gamma * d + beta for beta (renorm_target, bn_moments.cl)
    const feature_constants constants = { mean, mean_lo, renorm_r ? renorm_scale : invstd,
                                          renorm_r ? renorm_scale_lo : invstd_lo, 0, gamma,
                                          renorm_r ? renorm_shift : beta, epsilon };
    column_terms terms[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        terms[s] = column_terms_of(constants, column + s * BN_VECTOR_WIDTH);
    }
    for (index_t r = get_local_id(1); r < rows; r += get_local_size(1)) {
        for (int s = 0; s < BN_SPAN; ++s) {
            normalize_vector(x, y, z, fuse_relu, terms[s], r * features + column + s * BN_VECTOR_WIDTH);
        }
    }
}
