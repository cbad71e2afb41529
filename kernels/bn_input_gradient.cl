// bn_input_gradient.cl: the backward dx kernels' helpers: dx for one value or vector, the per-feature
// terms it takes, and the walks over a plane or over rows, with dz written beside dx when fused.

// dx for one gradient and value, the same for a float and for a vector: with batch statistics
// scale * ((gradient - mean_dy) - ((value - center) - center_lo) * slope), without scale * gradient.
#define INPUT_GRADIENT(gradient, value, center, center_lo, scale, mean_dy, slope, uses_batch_statistics) \
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

// One step of input_gradient_plane's walk, in either form: the gradient at `at`, to dz when it is
// wanted, and dx.
#define INPUT_GRADIENT_STEP(form, type, at) \
    do { \
        const type gradient = gradient##form(t.dy, t.y, (at)), value = load_t##form(t.x + (at)); \
        if (t.dz) store_t##form(gradient, t.dz + (at)); \
        store_t##form(INPUT_GRADIENT(gradient, value, terms.center, terms.center_lo, terms.scale, terms.mean_dy, \
                                     terms.slope, uses_batch_statistics), \
                      t.dx + (at)); \
    } while (0)

// dx over one plane (inner values at base), in WALK's order (bn_work.cl); dz too when fused with an
// addition.
void input_gradient_plane(gradient_tensors t, index_t base, index_t inner, gradient_terms terms,
                          int uses_batch_statistics, index_t first, index_t step)
{
    WALK(base, inner, first, step, INPUT_GRADIENT_STEP, INPUT_GRADIENT_STEP);
}
#undef INPUT_GRADIENT_STEP

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
void input_gradient_rows(gradient_tensors tensors, gradient_features c, index_t features, index_t first,
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
            if (tensors.dz) store_t_v(gradient, tensors.dz + at);
            store_t_v(INPUT_GRADIENT(gradient, load_t_v(tensors.x + at), load_v(c.mean + column),
                                     load_v(c.residual + column), scale, load_v(c.dbeta + column) * reduction_scale,
                                     inverse_std * load_v(c.dgamma + column) * reduction_scale, uses_batch_statistics),
                      tensors.dx + at);
        }
    }
}
