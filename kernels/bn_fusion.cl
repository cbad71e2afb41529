// bn_fusion.cl: the fused activation as helpers (relu and its gradient, for floats and vectors), and
// how a kernel that may fuse keeps its unfused loop as fast as before fusion existed.

// relu(v) = v < 0 ? 0 : v: a NaN passes, as PyTorch's relu passes it.
float relu(float value)
{
    return value < 0.0f ? 0.0f : value;
}

// relu for every lane of a vector.
floatv relu_v(floatv value)
{
    return select(value, (floatv)(0.0f), value < (floatv)(0.0f));
}

// The gradient behind a relu whose output was `output`: 0 where output <= 0, else the gradient (so a
// NaN output passes it, as PyTorch's threshold_backward does).
float relu_masked(float gradient, float output)
{
    return output <= 0.0f ? 0.0f : gradient;
}

// relu_masked for every lane of a vector.
floatv relu_masked_v(floatv gradient, floatv output)
{
    return select(gradient, (floatv)(0.0f), output <= (floatv)(0.0f));
}

// Fused operations and loops: a kernel that may fuse calls its loop through a helper twice, once with
// the fused operands (z, fuse_relu, the backward pass's y and dz) as given and once with them as the
// constants 0, choosing by a branch taken once. The compiler inlines the helper and drops the fused
// operation's branches from the constant copy, so an unfused pass runs the loop it ran before fusion
// existed (with the branches inside, PoCL's unfused normalization ran 10 % slower).
