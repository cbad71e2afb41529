// bn_fusion.cl: the fused activation as helpers (relu and its gradient, for floats and vectors), and
// how a kernel that may fuse keeps its unfused loop as fast as before fusion existed.

// relu(v) = v < 0 ? 0 : v: a NaN passes, as PyTorch's relu passes it. relu_1 and relu_v.
#define RELU(form, type) \
    type relu##form(type value) \
    { \
        return select(value, (type)(0.0f), value < (type)(0.0f)); \
    }
RELU(_v, floatv)
RELU(_1, float)

// The gradient behind a relu whose output was `output`: 0 where output <= 0, else the gradient (so a
// NaN output passes it, as PyTorch's threshold_backward does). relu_masked_1 and relu_masked_v.
#define RELU_MASKED(form, type) \
    type relu_masked##form(type gradient, type output) \
    { \
        return select(gradient, (type)(0.0f), output <= (type)(0.0f)); \
    }
RELU_MASKED(_v, floatv)
RELU_MASKED(_1, float)

// Fused operations and loops: a kernel that may fuse is built twice (BN_FUSED, bn_storage.cl). Its
// first line passes each fused operand (z and fuse_relu; the backward pass's y and dz) through
// FUSED_OPERAND, which in the build without fusion sets it to the constant 0 whatever the host
// passed; the compiler then drops the fused operation from every loop, so that an unfused pass runs
// the loop it ran before fusion existed (with the branches inside, PoCL's unfused normalization ran
// 10 % slower). The host builds the fused program only for calls that fuse.
#define FUSED_OPERAND(operand) ((operand) = BN_FUSED ? (operand) : 0)
