// bn_copy.cl: the bandwidth ceiling that bn-gpu-bench compares every pass with.
//
// bn_copy: reads source[count], writes destination[count]; the elementwise kernels' traversal with
//   nothing computed, so that the ceiling is the best this library's way of walking memory reaches.
//   Range (G0, B1, B2), work-groups (G0, 1, 1): work-item (t, b1, b2) takes the block
//   [b * block, (b + 1) * block) with b = b2 * B1 + b1, and in it the vectors t, t + G0, ..., then the floats past the last whole
//   vector of the array likewise. B1, B2 <= 65535; blocks past the end do nothing.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH (bn_storage.cl).

kernel void bn_copy(
    global const float* source, ulong source_offset, global float* destination, ulong destination_offset,
    ulong count_arg, ulong block)
{
    BN_AT(source); BN_AT(destination);
    const index_t count = (index_t)count_arg;
    index_t first, end;
    block_of_work_item(count, (index_t)block, &first, &end);
    const index_t length = end > first ? end - first : 0;
    const index_t vectors = length / BN_VECTOR_WIDTH;
    for (index_t v = get_global_id(0); v < vectors; v += get_global_size(0)) {
        const index_t at = first + v * BN_VECTOR_WIDTH;
        store_v(load_v(source + at), destination + at);
    }
    for (index_t i = vectors * BN_VECTOR_WIDTH + get_global_id(0); i < length; i += get_global_size(0)) {
        destination[first + i] = source[first + i];
    }
}
