// bn_moments.cl: the statistics helpers of bn_statistics.cl and bn_forward.cl's resident kernels:
// a chunk's moments in shifted form, their merge, a feature's mean and invstd to about twice float
// precision, and the running-statistics update.

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
    compensated_add_1(residual, residual_compensation, fma(count, e, chunk.residual));
    compensated_add_1(squares, squares_compensation, chunk.squares + e * fma(count, e, 2.0f * chunk.residual));
}

// Feature f's running statistics after one more batch: running = keep * running + take * batch, for
// the mean and for the variance (the batch's, in the divisor the running one stores). The one blend
// of the training pass (store_feature_statistics) and of synchronized batch norm (bn_running_update).
void blend_running(index_t f, float keep, float take, float batch_mean, float batch_variance,
                   global float* running_mean, global float* running_variance)
{
    running_mean[f] = keep * running_mean[f] + take * batch_mean;
    running_variance[f] = keep * running_variance[f] + take * batch_variance;
}

// Batch Renormalization's outputs (Ioffe 2017) for a training pass, r == NULL for batch norm: the
// corrections r[f] and d[f], and the normalization's constants, scale[f] + scale_lo[f] = r * (invstd
// + invstd_lo) and shift[f] = gamma * d + beta, which bn_normalize_* take for invstd, invstd_lo and
// beta, so that y = gamma * ((x - mean) * invstd * r + d) + beta; r = 1 and d = 0 leave those equal
// to invstd, invstd_lo and beta, bit for bit.
typedef struct {
    global float* r;
    global float* d;
    global float* scale;
    global float* scale_lo;
    global float* shift;
    global const float* gamma;
    global const float* beta;
    float r_max;
    float d_max;
} renorm_target;

// value clipped to [low, high]; a NaN stays NaN (fmin and fmax would drop it).
float clipped(float value, float low, float high)
{
    return value < low ? low : (value > high ? high : value);
}

// Writes feature f's renorm outputs (renorm_target) from its batch mean (hi + lo), its inverse
// standard deviation and the running statistics before this batch's update: with the running
// inverse q = 1 / sqrt(running variance + epsilon), r = clip(q / invstd, 1 / r_max, r_max) (that is
// sigma_B / sigma) and d = clip((mean - running mean) * q, -d_max, d_max).
void store_renorm_corrections(index_t f, renorm_target t, float mean_hi, float mean_lo, float2 inverse,
                              float epsilon, float running_mean, float running_variance)
{
    const float q = inverse_sqrt_split(running_variance, epsilon).x;
    const float r = clipped(q / inverse.x, 1.0f / t.r_max, t.r_max);
    const float d = clipped(((mean_hi - running_mean) + mean_lo) * q, -t.d_max, t.d_max);
    const float2 scale = scale_split(r, inverse.x, inverse.y);
    t.r[f] = r;
    t.d[f] = d;
    t.scale[f] = scale.x;
    t.scale_lo[f] = scale.y;
    t.shift[f] = fma(t.gamma ? t.gamma[f] : 1.0f, d, t.beta ? t.beta[f] : 0.0f);
}

// Finishes feature f's statistics from its moments over all `count` values: mean[f] + mean_lo[f]
// is the mean to about twice float precision (the low part keeps deviations exact when the mean is
// far larger than the spread); invstd[f] + invstd_lo[f] = 1 / sqrt(biased variance + epsilon), the
// same way (inverse_sqrt_split); with renorm.r given, the renorm outputs from the running statistics
// as they were (store_renorm_corrections); then, with the batch variance squares / variance_divisor:
// when batch_variance is given (a virtual batch's, for bn_running_update to average), it receives
// that variance and the blend waits; otherwise, when running_mean is given,
// running = keep * running + take * batch.
void store_feature_statistics(
    index_t f, moments total, float count, float epsilon, float keep, float take, float variance_divisor,
    global float* mean, global float* mean_lo, global float* invstd, global float* invstd_lo,
    global float* running_mean, global float* running_variance, renorm_target renorm, global float* batch_variance)
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
    if (renorm.r != 0) {
        store_renorm_corrections(f, renorm, hi, lo, inverse, epsilon, running_mean[f], running_variance[f]);
    }
    if (batch_variance != 0) {
        batch_variance[f] = squares / variance_divisor;
    } else if (running_mean != 0) {
        blend_running(f, keep, take, hi + lo, squares / variance_divisor, running_mean, running_variance);
    }
}

// Feature f's moments over planes [first_plane, end_plane) of the planar view, read twice: once for
// a center (the chunk's mean, about, from sums shifted by its first value), once for the residual
// and the squares about that center, compensated. The second read finds the chunk in cache when it
// fits. The group's work-items along dimension 0 split each plane's vectors, its lanes along
// dimension 1 the planes (lane p takes first_plane + p, first_plane + p + lanes, ...), so that a GPU
// fills a group when planes are short. A work-item's vectors, plane after plane, fill the two-level
// accumulators' blocks as one sequence (RUN_IN_BLOCKS, bn_sums.cl), the floats past a plane's last
// whole vector the compensated ones (WALK_TAIL, bn_work.cl). Every work-item of the group calls it
// (it holds barriers) and gets the group's moments; scratch holds get_local_size(0) *
// get_local_size(1) floats.
moments planar_moments(global const tensor_t* x, index_t f, index_t features, index_t inner,
                       index_t first_plane, index_t end_plane, local float* scratch)
{
    const uint lid = get_local_id(0), size = get_local_size(0);
    const index_t vectors = inner / BN_VECTOR_WIDTH;
    const float k = load_t_1(x + (first_plane * features + f) * inner);
    const index_t lane = get_local_id(1), lanes = get_local_size(1);
    accumulator_v shifted_v = accumulator_v_zero();
    float shifted = 0.0f;
    int filled = 0;
#define SHIFTED_VECTOR(v) (shifted_v.block += load_t_v(plane + (v) * BN_VECTOR_WIDTH) - k)
#define SHIFTED_FLUSH() accumulator_v_flush(&shifted_v)
#define SHIFTED_ONE(form, type, at) (shifted += load_t_1(plane + (at)) - k)
    for (index_t o = first_plane + lane; o < end_plane; o += lanes) {
        global const tensor_t* plane = x + (o * features + f) * inner;
        RUN_IN_BLOCKS(lid, vectors, size, filled, SHIFTED_VECTOR, SHIFTED_FLUSH);
        WALK_TAIL(0, inner, vectors, lid, size, SHIFTED_ONE);
    }
    const float count = (float)((end_plane - first_plane) * inner);
    const float center = k + group_total(scratch, lanes_total(shifted_v, shifted, 0.0f)) / count;

    accumulator_v residual_v = accumulator_v_zero(), squares_v = accumulator_v_zero();
    float residual = 0.0f, residual_c = 0.0f, squares = 0.0f, squares_c = 0.0f;
    filled = 0;
#define CENTERED_VECTOR(v) \
    do { \
        const floatv d = load_t_v(plane + (v) * BN_VECTOR_WIDTH) - center; \
        residual_v.block += d; \
        squares_v.block += d * d; \
    } while (0)
#define CENTERED_FLUSH() \
    do { \
        accumulator_v_flush(&residual_v); \
        accumulator_v_flush(&squares_v); \
    } while (0)
#define CENTERED_ONE(form, type, at) \
    do { \
        const float d = load_t_1(plane + (at)) - center; \
        compensated_add_1(&residual, &residual_c, d); \
        compensated_add_1(&squares, &squares_c, d * d); \
    } while (0)
    for (index_t o = first_plane + lane; o < end_plane; o += lanes) {
        global const tensor_t* plane = x + (o * features + f) * inner;
        RUN_IN_BLOCKS(lid, vectors, size, filled, CENTERED_VECTOR, CENTERED_FLUSH);
        WALK_TAIL(0, inner, vectors, lid, size, CENTERED_ONE);
    }
#undef SHIFTED_VECTOR
#undef SHIFTED_FLUSH
#undef SHIFTED_ONE
#undef CENTERED_VECTOR
#undef CENTERED_FLUSH
#undef CENTERED_ONE
    moments result;
    result.center = center;
    result.residual = group_total(scratch, lanes_total(residual_v, residual, residual_c));
    result.squares = group_total(scratch, lanes_total(squares_v, squares, squares_c));
    return result;
}

// The moments of the BN_SPAN feature vectors from `column` over rows [first, end) of the
// interleaved view [rows][features], read twice as planar_moments reads a plane: the row lanes
// (dimension 1; lane l takes rows first + l, first + l + lanes, ...) share one shift, the first
// row's values, and their sums meet by lane_total_v (bn_sums.cl) before the center and again
// before the moments, which every lane receives: center[s], residual[s] and squares[s] for the
// span's vector s. A work-item with is_column 0 (past the last feature vector) sums no rows but
// joins the barriers. scratch holds get_local_size(0) * get_local_size(1) * BN_VECTOR_WIDTH floats.
void interleaved_moments(global const tensor_t* x, index_t features, index_t column, int is_column, index_t first,
                         index_t end, local float* scratch, floatv* center, floatv* residual, floatv* squares)
{
    const index_t lanes = get_local_size(1), mine = is_column ? first + get_local_id(1) : end;
    global const tensor_t* values = x + (is_column ? column : 0);
    floatv k[BN_SPAN];
    accumulator_v shifted[BN_SPAN], residual_sum[BN_SPAN], squares_sum[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        k[s] = is_column ? load_t_v(values + first * features + s * BN_VECTOR_WIDTH) : (floatv)(0.0f);
        shifted[s] = accumulator_v_zero();
        residual_sum[s] = accumulator_v_zero();
        squares_sum[s] = accumulator_v_zero();
    }
#define SHIFTED_ROW(r) \
    FOR_SPAN(s) shifted[s].block += load_t_v(values + (r) * features + s * BN_VECTOR_WIDTH) - k[s]
#define SHIFTED_FLUSH() FOR_SPAN(s) accumulator_v_flush(&shifted[s])
    ROWS_IN_BLOCKS(mine, end, lanes, SHIFTED_ROW, SHIFTED_FLUSH);
    for (int s = 0; s < BN_SPAN; ++s) {
        center[s] = k[s] + lane_total_v(scratch, accumulator_v_lanes(shifted[s])) / (float)(end - first);
    }
#define CENTERED_ROW(r) \
    FOR_SPAN(s) { \
        const floatv d = load_t_v(values + (r) * features + s * BN_VECTOR_WIDTH) - center[s]; \
        residual_sum[s].block += d; \
        squares_sum[s].block += d * d; \
    }
#define CENTERED_FLUSH() \
    FOR_SPAN(s) { accumulator_v_flush(&residual_sum[s]); accumulator_v_flush(&squares_sum[s]); }
    ROWS_IN_BLOCKS(mine, end, lanes, CENTERED_ROW, CENTERED_FLUSH);
#undef SHIFTED_ROW
#undef SHIFTED_FLUSH
#undef CENTERED_ROW
#undef CENTERED_FLUSH
    for (int s = 0; s < BN_SPAN; ++s) {
        residual[s] = lane_total_v(scratch, accumulator_v_lanes(residual_sum[s]));
        squares[s] = lane_total_v(scratch, accumulator_v_lanes(squares_sum[s]));
    }
}
