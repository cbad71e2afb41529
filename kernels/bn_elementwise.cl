// bn_elementwise.cl: the activation as its own kernel, for a caller who does not fuse it into the
// batch-norm pass (bn_forward.cl's fuse_relu, bn_backward.cl's y and dz): the unfused sequence that
// bn-gpu-bench times against the fused passes.
//
// bn_relu_forward: reads a[count] and b[count] or NULL; writes out[count] = relu(a + b), or relu(a)
//   when b is NULL (relu passes a NaN: bn_fusion.cl). out may be a or b.
// bn_relu_backward: reads gradient[count] and output[count], the forward output; writes
//   da[count] = relu_masked(gradient, output) (the gradient where output > 0 or is NaN, else 0), and
//   the same to db[count] unless db is NULL (relu(a + b)'s gradient of b). da and db may be gradient.
// Both: tensor_t storage (bn_storage.cl), arithmetic in float, each value rounded once as stored.
//   Range (G0, B1, B2), work-groups (G0, 1, 1), as bn_copy: work-item (t, b1, b2) takes the block
//   [b * block, (b + 1) * block) with b = b2 * B1 + b1, and in it the vectors t, t + G0, ..., then the values past the last whole
//   vector of the block likewise. B1, B2 <= 65535; blocks past the end do nothing.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_STORAGE (bn_storage.cl).

// The elements [first, first + length) of a flat tensor of `count` the work-item's block holds
// (block_of_work_item, bn_work.cl); a block past the end is empty.
void element_block(ulong count, ulong block, index_t* first, index_t* length)
{
    index_t end;
    block_of_work_item((index_t)count, (index_t)block, first, &end);
    *length = end > *first ? end - *first : 0;
}

kernel void bn_relu_forward(
    global const tensor_t* a, ulong a_offset, global const tensor_t* b, ulong b_offset,
    global tensor_t* out, ulong out_offset, ulong count_arg, ulong block)
{
    BN_AT(a); BN_AT(b); BN_AT(out);
    index_t first, length;
    element_block(count_arg, block, &first, &length);
    const index_t vectors = length / BN_VECTOR_WIDTH;
    for (index_t v = get_global_id(0); v < vectors; v += get_global_size(0)) {
        const index_t at = first + v * BN_VECTOR_WIDTH;
        const floatv value = load_t(a + at);
        store_t(relu_v(b ? value + load_t(b + at) : value), out + at);
    }
    for (index_t i = vectors * BN_VECTOR_WIDTH + get_global_id(0); i < length; i += get_global_size(0)) {
        const index_t at = first + i;
        const float value = load_t1(a + at);
        store_t1(relu(b ? value + load_t1(b + at) : value), out + at);
    }
}

kernel void bn_relu_backward(
    global const tensor_t* gradient, ulong gradient_offset, global const tensor_t* output, ulong output_offset,
    global tensor_t* da, ulong da_offset, global tensor_t* db, ulong db_offset, ulong count_arg, ulong block)
{
    BN_AT(gradient); BN_AT(output); BN_AT(da); BN_AT(db);
    index_t first, length;
    element_block(count_arg, block, &first, &length);
    const index_t vectors = length / BN_VECTOR_WIDTH;
    for (index_t v = get_global_id(0); v < vectors; v += get_global_size(0)) {
        const index_t at = first + v * BN_VECTOR_WIDTH;
        const floatv masked = relu_masked_v(load_t(gradient + at), load_t(output + at));
        store_t(masked, da + at);
        if (db) store_t(masked, db + at);
    }
    for (index_t i = vectors * BN_VECTOR_WIDTH + get_global_id(0); i < length; i += get_global_size(0)) {
        const index_t at = first + i;
        const float masked = relu_masked(load_t1(gradient + at), load_t1(output + at));
        store_t1(masked, da + at);
        if (db) store_t1(masked, db + at);
    }
}
