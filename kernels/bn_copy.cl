// bn_copy.cl: the bandwidth ceiling that bn-gpu-bench compares every pass with.
//
// bn_copy: reads source[count], writes destination[count]; the elementwise kernels' traversal with
//   nothing computed, so that the ceiling is the best this library's way of walking memory reaches.
//   Range (G0, B1, B2), work-groups (G0, 1, 1): work-item (t, b1, b2) takes the block
//   [b * block, (b + 1) * block) with b = b2 * B1 + b1 (element_block, bn_work.cl), and in it the
//   vectors t, t + G0, ..., then the floats past the last whole vector likewise (WALK, bn_work.cl).
//   B1, B2 <= 65535; blocks past the end do nothing.
// Defines: BN_INDEX_T, BN_VECTOR_WIDTH (bn_storage.cl).

// One step of the copy, in either form.
#define COPY_STEP(form, type, at) store##form(load##form(source + (at)), destination + (at))

kernel void bn_copy(
    global const float* source, ulong source_offset, global float* destination, ulong destination_offset,
    ulong count_arg, ulong block)
{
    AT_OFFSET(source); AT_OFFSET(destination);
    index_t first, length;
    element_block(count_arg, block, &first, &length);
    WALK(first, length, get_global_id(0), get_global_size(0), COPY_STEP, COPY_STEP);
}
