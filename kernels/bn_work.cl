// bn_work.cl: which planes, rows or features a work-group takes, from its place in the range, and
// the walk over a run of values that every plane and flat kernel takes.

// The block of planes (planar elementwise kernels) or rows (interleaved ones) a work-group takes:
// [*first, *end) of the `count` there are, `length` at a time, the block's number coming from the
// group's place in dimensions 1 and 2 of the range, as rows x layers, so that neither holds more than
// the 65535 work-groups some drivers allow there. A block past the end is empty. The group's lanes
// (its work-items along dimension 1) split the block: lane p takes units first + p, first + p + lanes,
// ...; a group of one lane takes them all.
void block_of_work_item(index_t count, index_t length, index_t* first, index_t* end)
{
    *first = (get_group_id(2) * get_num_groups(1) + get_group_id(1)) * length;
    *end = min(count, *first + length);
}

// Which feature a merge kernel's row of lanes takes (bn_statistics.cl, the merge kernels): rows of
// dimension 1 within a group, groups of dimensions 1 and 2 as rows x layers. May be past the last feature.
index_t merge_feature(void)
{
    return (get_group_id(2) * get_num_groups(1) + get_group_id(1)) * get_local_size(1) + get_local_id(1);
}

// Which feature a planar reduction work-group takes: group dimensions 1 and 2, as rows x layers.
// The range may cover more features than there are; such groups return whole.
index_t planar_feature_of_group(void)
{
    return get_group_id(2) * get_num_groups(1) + get_group_id(1);
}

// The elements [first, first + length) of a flat tensor of `count` the work-item's block holds
// (block_of_work_item); a block past the end is empty.
void element_block(ulong count, ulong block, index_t* first, index_t* length)
{
    index_t end;
    block_of_work_item((index_t)count, (index_t)block, first, &end);
    *length = end > *first ? end - *first : 0;
}

// The walk of a run of `length` values from `base`: the whole vectors first, first + step, ... of the
// run, then the values past its last whole vector, first, first + step, ... of those; a work-item
// passes its place along the run and the number of work-items beside it. Each vector is one
// VECTOR_STEP(_v, floatv, at) and each value one ONE_STEP(_1, float, at), at the index of its first
// value: a step written once for both forms (a macro that pastes the form onto its helpers' names,
// load_t##form, and declares its values as `type`) is passed as both.
#define WALK(base, length, first, step, VECTOR_STEP, ONE_STEP) \
    do { \
        const index_t walk_vectors_ = (length) / BN_VECTOR_WIDTH; \
        for (index_t walk_ = (first); walk_ < walk_vectors_; walk_ += (step)) { \
            const index_t walk_at_ = (base) + walk_ * BN_VECTOR_WIDTH; \
            VECTOR_STEP(_v, floatv, walk_at_); \
        } \
        WALK_TAIL(base, length, walk_vectors_, first, step, ONE_STEP); \
    } while (0)

// WALK's second part alone: ONE_STEP(_1, float, at) for the values past the run's `vectors` whole
// vectors (length / BN_VECTOR_WIDTH), first, first + step, ... of those; for a walk whose vectors go
// another way (the planar reductions' blocks, RUN_IN_BLOCKS in bn_sums.cl).
#define WALK_TAIL(base, length, vectors, first, step, ONE_STEP) \
    do { \
        for (index_t tail_ = (vectors) * BN_VECTOR_WIDTH + (first); tail_ < (length); tail_ += (step)) { \
            const index_t tail_at_ = (base) + tail_; \
            ONE_STEP(_1, float, tail_at_); \
        } \
    } while (0)
