// bn_activation.cl: the activation as its own kernel, for a caller who does not fuse it into the
// batch-norm pass (bn_forward.cl's fuse_relu, bn_backward.cl's y and dz): the unfused sequence that
// bn-gpu-bench times against the fused passes.
//
// bn_relu_forward: reads a[count] and b[count] or NULL; writes out[count] = relu(a + b), or relu(a)
//   when b is NULL (relu passes a NaN: bn_fusion.cl). out may be a or b.
// bn_relu_backward: reads gradient[count] and output[count], the forward output; writes
//   da[count] = relu_masked(gradient, output) (the gradient where output > 0 or is NaN, else 0), and
//   the same to db[count] unless db is NULL (relu(a + b)'s gradient of b). da and db may be gradient.
// Both: tensor_t storage (bn_storage.cl), arithmetic in float, each value rounded once as stored.
//   Range (G0, B1, B2), work-groups (G0, 1, 1): work-item (t, b1, b2) takes the block
//   [b * block, (b + 1) * block) with b = b2 * B1 + b1 (element_block, bn_work.cl), and in it the
//   vectors t, t + G0, ..., then the values past the last whole vector likewise (WALK, bn_work.cl).
//   B1, B2 <= 65535; blocks past the end do nothing.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH, BN_STORAGE (bn_storage.cl).

// The two kernels' steps, each written once for both forms (WALK, bn_work.cl).
#define RELU_FORWARD_STEP(form, type, at) \
    do { \
        const type value = load_t##form(a + (at)); \
        store_t##form(relu##form(b ? value + load_t##form(b + (at)) : value), out + (at)); \
    } while (0)
#define RELU_BACKWARD_STEP(form, type, at) \
    do { \
        const type masked = relu_masked##form(load_t##form(gradient + (at)), load_t##form(output + (at))); \
        store_t##form(masked, da + (at)); \
        if (db) store_t##form(masked, db + (at)); \
    } while (0)

kernel void bn_relu_forward(
    global const tensor_t* a, ulong a_offset, global const tensor_t* b, ulong b_offset,
    global tensor_t* out, ulong out_offset, ulong count_arg, ulong block)
{
    AT_OFFSET(a); AT_OFFSET(b); AT_OFFSET(out);
    index_t first, length;
    element_block(count_arg, block, &first, &length);
    WALK(first, length, get_global_id(0), get_global_size(0), RELU_FORWARD_STEP, RELU_FORWARD_STEP);
}

kernel void bn_relu_backward(
    global const tensor_t* gradient, ulong gradient_offset, global const tensor_t* output, ulong output_offset,
    global tensor_t* da, ulong da_offset, global tensor_t* db, ulong db_offset, ulong count_arg, ulong block)
{
    AT_OFFSET(gradient); AT_OFFSET(output); AT_OFFSET(da); AT_OFFSET(db);
    index_t first, length;
    element_block(count_arg, block, &first, &length);
    WALK(first, length, get_global_id(0), get_global_size(0), RELU_BACKWARD_STEP, RELU_BACKWARD_STEP);
}
