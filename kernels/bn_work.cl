// bn_work.cl: which planes, rows or features a work-group takes, from its place in the range.

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
