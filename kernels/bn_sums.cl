// bn_sums.cl: sums that repeat bit for bit: Kahan-compensated and two-level accumulation, the exact
// rounding error of an addition, and fixed-order trees over a work-group's work-items.

// Kahan-compensated accumulation: *sum - *compensation carries the running total to about twice
// float precision, so a long sequential sum does not lose the small terms. The compiler may not
// reassociate these operations (no -cl-fast-relaxed-math is ever passed). compensated_add_1 for a
// float, compensated_add_v for every lane of a vector at once.
#define COMPENSATED_ADD(form, type) \
    void compensated_add##form(type* sum, type* compensation, type value) \
    { \
        const type corrected = value - *compensation; \
        const type total = *sum + corrected; \
        *compensation = (total - *sum) - corrected; \
        *sum = total; \
    }
COMPENSATED_ADD(_v, floatv)
COMPENSATED_ADD(_1, float)

// A sum of vectors in two levels: PLAIN_BLOCK values added plainly into `block`, then the block added
// into `sum` compensated (accumulator_v_flush, which RUN_IN_BLOCKS calls after each block). The error
// is that of a PLAIN_BLOCK-term sum plus a compensated one, about what compensating every term gives,
// for a quarter of the work per value.
typedef struct {
    floatv sum;
    floatv compensation;
    floatv block;
} accumulator_v;

accumulator_v accumulator_v_zero(void)
{
    accumulator_v zero = { (floatv)(0.0f), (floatv)(0.0f), (floatv)(0.0f) };
    return zero;
}

// Adds a full block into the compensated sum and empties it.
void accumulator_v_flush(accumulator_v* accumulator)
{
    compensated_add_v(&accumulator->sum, &accumulator->compensation, accumulator->block);
    accumulator->block = (floatv)(0.0f);
}

// Calls ADD(at) for at = first, first + step, ... below end as the next values of a sequence whose
// values fill blocks of PLAIN_BLOCK: `filled` (an int variable the caller keeps across calls, 0 at
// the start) counts the open block's values, and FLUSH() runs after each block's PLAIN_BLOCK-th
// value. With ADD adding plainly into accumulators' blocks and FLUSH flushing each
// (accumulator_v_flush), a walk over several runs (a work-item's planes) blocks its values as one
// sequence, with a counter and a branch per block rather than per value: counting and testing each
// value kept the reductions' loops from streaming (measured on PoCL). The values past the last full
// block stay in the blocks, for accumulator_v_lanes.
#define RUN_IN_BLOCKS(first, end, step, filled, ADD, FLUSH) \
    do { \
        const index_t run_end_ = (end), run_step_ = (step); \
        index_t run_at_ = (first); \
        for (; (filled) != 0 && run_at_ < run_end_; run_at_ += run_step_) { \
            ADD(run_at_); \
            if (++(filled) == PLAIN_BLOCK) { \
                FLUSH(); \
                (filled) = 0; \
            } \
        } \
        const index_t run_count_ = run_at_ < run_end_ ? (run_end_ - run_at_ + run_step_ - 1) / run_step_ : 0; \
        for (index_t run_block_ = 0; run_block_ < run_count_ / PLAIN_BLOCK; ++run_block_) { \
            for (int run_i_ = 0; run_i_ < PLAIN_BLOCK; ++run_i_, run_at_ += run_step_) { \
                ADD(run_at_); \
            } \
            FLUSH(); \
        } \
        (filled) += (int)(run_count_ % PLAIN_BLOCK); \
        for (; run_at_ < run_end_; run_at_ += run_step_) { \
            ADD(run_at_); \
        } \
    } while (0)

// RUN_IN_BLOCKS over one run, the whole sequence: rows r = first, first + step, ... below end.
#define ROWS_IN_BLOCKS(first, end, step, ADD, FLUSH) \
    do { \
        int rows_filled_ = 0; \
        RUN_IN_BLOCKS(first, end, step, rows_filled_, ADD, FLUSH); \
    } while (0)

// The accumulated lanes, each as one compensated sum.
floatv accumulator_v_lanes(accumulator_v accumulator)
{
    compensated_add_v(&accumulator.sum, &accumulator.compensation, accumulator.block);
    return accumulator.sum - accumulator.compensation;
}

// The total of an accumulator's lanes and one compensated scalar sum, added lane by lane in lane
// order, compensated.
float lanes_total(accumulator_v accumulator, float scalar_sum, float scalar_compensation)
{
    float lanes[BN_VECTOR_WIDTH];
    store_v(accumulator_v_lanes(accumulator), lanes);
    float total = scalar_sum, total_compensation = scalar_compensation;
    for (int lane = 0; lane < BN_VECTOR_WIDTH; ++lane) {
        compensated_add_1(&total, &total_compensation, lanes[lane]);
    }
    return total - total_compensation;
}

// The sum of `value` over `count` work-items (a power of two) whose slots are slots[0 ..< count], by a
// tree in a fixed order, returned to each of them; `at` is the caller's slot. Every work-item of the
// group calls it (it holds barriers).
float tree_total(local float* slots, uint at, uint count, float value)
{
    slots[at] = value;
    for (uint span = count / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (at < span) {
            slots[at] += slots[at + span];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float total = slots[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// The sum of `value` over the whole group (dimensions 0 and 1, each a power of two), returned to
// every work-item; scratch holds get_local_size(0) * get_local_size(1) floats and may be reused after.
float group_total(local float* scratch, float value)
{
    const uint at = get_local_id(1) * get_local_size(0) + get_local_id(0);
    return tree_total(scratch, at, get_local_size(0) * get_local_size(1), value);
}

// The sum of `value` over each row of the group (its work-items along dimension 0), returned to the
// row's work-items; scratch as group_total's.
float row_total(local float* scratch, float value)
{
    return tree_total(scratch + get_local_id(1) * get_local_size(0), get_local_id(0), get_local_size(0), value);
}

// The sum of a vector over the work-items of the group along dimension 1 (a power-of-two count of
// row lanes), by a tree in a fixed order, returned to each of them: each position along dimension 0
// sums its own. Every work-item of the group calls it (it holds barriers); scratch holds
// get_local_size(0) * get_local_size(1) * BN_VECTOR_WIDTH floats and may be reused after return.
floatv lane_total_v(local float* scratch, floatv value)
{
    const uint lane = get_local_id(1), width = get_local_size(0);
    local float* mine = scratch + (lane * width + get_local_id(0)) * BN_VECTOR_WIDTH;
    store_v(value, mine);
    for (uint span = get_local_size(1) / 2; span > 0; span /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lane < span) {
            store_v(load_v(mine) + load_v(mine + span * width * BN_VECTOR_WIDTH), mine);
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const floatv total = load_v(scratch + get_local_id(0) * BN_VECTOR_WIDTH);
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

// The exact rounding error of s = a + b (Knuth's TwoSum): a + b == s + TWO_SUM_ERROR(a, b, s), for
// floats and vectors alike; a and b must be plain values (each appears more than once).
#define TWO_SUM_ERROR(a, b, s) (((a) - ((s) - ((s) - (a)))) + ((b) - ((s) - (a))))

// TWO_SUM_ERROR for floats, whose arguments may be expressions.
float two_sum_error(float a, float b, float s)
{
    return TWO_SUM_ERROR(a, b, s);
}

// Feature f's sums over virtual batches of two arrays laid out group by group (a[g * features + f],
// g < groups), added in group order: (sum of a, sum of b).
float2 group_sums(global const float* a, global const float* b, index_t f, index_t features, index_t groups)
{
    float2 sums = (float2)(0.0f, 0.0f);
    for (index_t g = 0; g < groups; ++g) {
        sums.x += a[g * features + f];
        sums.y += b[g * features + f];
    }
    return sums;
}
