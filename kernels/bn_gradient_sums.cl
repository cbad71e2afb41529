// bn_gradient_sums.cl: the backward reductions' helpers: a merge row's ordered sum of chunk partials,
// the gradient (dy masked by a fused output), and a feature's sums of dy, dy * (x - center) and
// (x - center) over planes or rows.

// The sum of values[g * stride + offset] for g = 0 ..< count, by the lanes of a merge kernel's row
// (bn_statistics.cl's layout of bn_stats_merge): lane l adds g = l, l + L, ... in order, compensated,
// and the lanes' sums meet by row_total, returned to each lane. Every work-item of the group calls
// it (it holds barriers); a row with is_feature 0 adds nothing.
float ordered_sum(global const float* values, index_t count, index_t stride, index_t offset, int is_feature,
                  local float* scratch)
{
    float sum = 0.0f, compensation = 0.0f;
    for (index_t g = get_local_id(0); is_feature && g < count; g += get_local_size(0)) {
        compensated_add_1(&sum, &compensation, values[g * stride + offset]);
    }
    return row_total(scratch, sum - compensation);
}

// The gradient at `at`: dy, masked by the fused output y's sign when y is given; gradient_1 for one
// value, gradient_v for a vector.
#define GRADIENT(form, type) \
    type gradient##form(global const tensor_t* dy, global const tensor_t* y, index_t at) \
    { \
        const type gradient = load_t##form(dy + at); \
        return y ? relu_masked##form(gradient, load_t##form(y + at)) : gradient; \
    }
GRADIENT(_v, floatv)
GRADIENT(_1, float)

// A feature's backward sums: sum dy, sum dy * (x - center) and sum (x - center).
typedef struct {
    float dy;
    float dy_centered;
    float centered;
} gradient_sums;

// The gradient sums of feature f over planes [first_plane, end_plane), split over the group as
// planar_moments splits them and filling the accumulators' blocks as it does (bn_moments.cl), and
// returned to every work-item (it holds barriers); scratch holds get_local_size(0) *
// get_local_size(1) floats.
gradient_sums planar_gradient_sums(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                                   float center, index_t f, index_t features, index_t inner, index_t first_plane,
                                   index_t end_plane, local float* scratch)
{
    const uint lid = get_local_id(0), size = get_local_size(0);
    const index_t vectors = inner / BN_VECTOR_WIDTH;
    accumulator_v dy_v = accumulator_v_zero(), dyx_v = accumulator_v_zero(), x_v = accumulator_v_zero();
    float dy_s = 0.0f, dy_sc = 0.0f, dyx_s = 0.0f, dyx_sc = 0.0f, x_s = 0.0f, x_sc = 0.0f;
    int filled = 0;
#define GRADIENT_SUMS_VECTOR(v) \
    do { \
        const index_t at_ = base + (v) * BN_VECTOR_WIDTH; \
        const floatv gradient = gradient_v(dy, y, at_), centered = load_t_v(x + at_) - center; \
        dy_v.block += gradient; \
        dyx_v.block += gradient * centered; \
        x_v.block += centered; \
    } while (0)
#define GRADIENT_SUMS_FLUSH() \
    do { \
        accumulator_v_flush(&dy_v); \
        accumulator_v_flush(&dyx_v); \
        accumulator_v_flush(&x_v); \
    } while (0)
#define GRADIENT_SUMS_ONE(form, type, at) \
    do { \
        const float gradient = gradient_1(dy, y, (at)), centered = load_t_1(x + (at)) - center; \
        compensated_add_1(&dy_s, &dy_sc, gradient); \
        compensated_add_1(&dyx_s, &dyx_sc, gradient * centered); \
        compensated_add_1(&x_s, &x_sc, centered); \
    } while (0)
    for (index_t o = first_plane + get_local_id(1); o < end_plane; o += get_local_size(1)) {
        const index_t base = (o * features + f) * inner;
        RUN_IN_BLOCKS(lid, vectors, size, filled, GRADIENT_SUMS_VECTOR, GRADIENT_SUMS_FLUSH);
        WALK_TAIL(base, inner, vectors, lid, size, GRADIENT_SUMS_ONE);
    }
#undef GRADIENT_SUMS_VECTOR
#undef GRADIENT_SUMS_FLUSH
#undef GRADIENT_SUMS_ONE
    gradient_sums sums;
    sums.dy = group_total(scratch, lanes_total(dy_v, dy_s, dy_sc));
    sums.dy_centered = group_total(scratch, lanes_total(dyx_v, dyx_s, dyx_sc));
    sums.centered = group_total(scratch, lanes_total(x_v, x_s, x_sc));
    return sums;
}

// Adds rows first, first + step, ... below end of the interleaved view to the BN_SPAN feature vectors'
// sums from `column`.
void interleaved_gradient_rows(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                               index_t features, index_t column, index_t first, index_t end, index_t step,
                               const floatv* center, accumulator_v* sum_dy, accumulator_v* sum_dyx,
                               accumulator_v* sum_x)
{
#define GRADIENT_ROW(r) \
    for (int s = 0; s < BN_SPAN; ++s) { \
        const index_t at = (r) * features + column + s * BN_VECTOR_WIDTH; \
        const floatv gradient = gradient_v(dy, y, at), centered = load_t_v(x + at) - center[s]; \
        sum_dy[s].block += gradient; \
        sum_dyx[s].block += gradient * centered; \
        sum_x[s].block += centered; \
    }
#define GRADIENT_FLUSH() \
    for (int s = 0; s < BN_SPAN; ++s) { \
        accumulator_v_flush(&sum_dy[s]); accumulator_v_flush(&sum_dyx[s]); accumulator_v_flush(&sum_x[s]); \
    }
    ROWS_IN_BLOCKS(first, end, step, GRADIENT_ROW, GRADIENT_FLUSH);
#undef GRADIENT_ROW
#undef GRADIENT_FLUSH
}

// The backward sums of the BN_SPAN feature vectors from `column` over rows first + l, first + l +
// lanes, ... below end of the interleaved view (l the row lane, dimension 1), about the mean that
// center[s] receives from `mean`: dy_total[s] = sum dy, dyx_total[s] = sum dy * (x - mean) and
// x_total[s] = sum (x - mean), each the total over the row lanes (lane_total_v), which every lane
// receives. A work-item with is_column 0 (past the last feature vector) sums no rows but joins the
// barriers. scratch holds get_local_size(0) * get_local_size(1) * BN_VECTOR_WIDTH floats.
void interleaved_gradient_totals(global const tensor_t* dy, global const tensor_t* y, global const tensor_t* x,
                                 global const float* mean, index_t features, index_t column, int is_column,
                                 index_t first, index_t end, local float* scratch, floatv* center, floatv* dy_total,
                                 floatv* dyx_total, floatv* x_total)
{
    const index_t at_column = is_column ? column : 0, mine = is_column ? first + get_local_id(1) : end;
    accumulator_v sum_dy[BN_SPAN], sum_dyx[BN_SPAN], sum_x[BN_SPAN];
    for (int s = 0; s < BN_SPAN; ++s) {
        center[s] = load_v(mean + at_column + s * BN_VECTOR_WIDTH);
        sum_dy[s] = accumulator_v_zero();
        sum_dyx[s] = accumulator_v_zero();
        sum_x[s] = accumulator_v_zero();
    }
    interleaved_gradient_rows(dy, y, x, features, at_column, mine, end, get_local_size(1), center, sum_dy, sum_dyx,
                              sum_x);
    for (int s = 0; s < BN_SPAN; ++s) {
        dy_total[s] = lane_total_v(scratch, accumulator_v_lanes(sum_dy[s]));
        dyx_total[s] = lane_total_v(scratch, accumulator_v_lanes(sum_dyx[s]));
        x_total[s] = lane_total_v(scratch, accumulator_v_lanes(sum_x[s]));
    }
}

// dgamma from the sums about `center` when the batch mean is center + residual:
// sum dy * (x - center - residual) = sum dy * (x - center) - residual * sum dy.
float centered_dgamma(float sum_dy, float sum_dy_centered, float residual, float invstd)
{
    return fma(-residual, sum_dy, sum_dy_centered) * invstd;
}
