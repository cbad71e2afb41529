// bn_copy.cl: the bandwidth ceiling that bn-gpu-bench compares every pass with.
//
// bn_copy: reads source[count], writes destination[count], float4 at a time.
//   1-D range of any size; each work-item takes elements gid, gid + global size, ...
//   count is in float4 units; the host allocates whole float4s.
// Defines: BN_INDEX_T (bn_common.cl).

kernel void bn_copy(global const float4* source, global float4* destination, ulong count)
{
    for (index_t i = get_global_id(0); i < (index_t)count; i += get_global_size(0)) {
        destination[i] = source[i];
    }
}
