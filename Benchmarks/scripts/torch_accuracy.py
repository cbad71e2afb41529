#!/usr/bin/env python3
"""PyTorch's float32 batch norm against float64 on the same float32 inputs, as AccuracyTests
measures this library: one training forward and backward per case, relative L2 error of y, dx, dγ
and dβ, for features whose mean is 1 (well conditioned: mean in [-2, 2], spread in [0.5, 2]), 300,
1,000 and 10,000 times their standard deviation, on [16, 8, 16, 16] NCHW and NHWC and [1024, 32].

    python3 Benchmarks/scripts/torch_accuracy.py

Needs PyTorch (the CPU build is enough: pip install torch). Prints one line per case and, last,
the largest error per ratio and output over the shapes.
"""
import torch

torch.manual_seed(2015)


def relative_l2(actual, expected):
    return ((actual.double() - expected).norm() / expected.norm()).item()


def one_case(shape, channels_last, ratio):
    c = shape[1]
    if ratio == 1:
        means, spreads = torch.empty(c).uniform_(-2, 2), torch.empty(c).uniform_(0.5, 2)
    else:
        means, spreads = torch.full((c,), float(ratio)), torch.ones(c)
    view = (1, c) + (1,) * (len(shape) - 2)
    x = (means.view(view) + spreads.view(view) * torch.randn(shape, dtype=torch.float64)).float()
    dy = torch.randn(shape)
    gamma, beta = 1 + 0.5 * torch.randn(c), 0.5 * torch.randn(c)
    if channels_last:
        x, dy = x.contiguous(memory_format=torch.channels_last), dy.contiguous(memory_format=torch.channels_last)
    results = {}
    for dtype in (torch.float32, torch.float64):
        xx = x.to(dtype).detach().clone().requires_grad_(True)
        gg, bb = gamma.to(dtype).detach().requires_grad_(True), beta.to(dtype).detach().requires_grad_(True)
        y = torch.nn.functional.batch_norm(xx, torch.zeros(c, dtype=dtype), torch.ones(c, dtype=dtype), gg, bb,
                                           training=True)
        y.backward(dy.to(dtype))
        results[dtype] = (y.detach(), xx.grad, gg.grad, bb.grad)
    low, high = results[torch.float32], results[torch.float64]
    return {name: relative_l2(a, e) for name, a, e in zip(["y", "dx", "dγ", "dβ"], low, high)}


worst = {}
for ratio in [1, 300, 1000, 10000]:
    for shape, channels_last in [((16, 8, 16, 16), False), ((16, 8, 16, 16), True), ((1024, 32), False)]:
        errors = one_case(shape, channels_last, ratio)
        layout = "NHWC" if channels_last else ("NCHW" if len(shape) == 4 else "NC")
        print(f"torch mean/σ {ratio} {list(shape)} {layout}: "
              + ", ".join(f"{name} {error:.2g}" for name, error in errors.items()))
        for name, error in errors.items():
            worst[(ratio, name)] = max(worst.get((ratio, name), 0), error)
print("worst over the shapes:")
for ratio in [1, 300, 1000, 10000]:
    print(f"  mean/σ {ratio}: " + ", ".join(f"{name} {worst[(ratio, name)]:.2g}" for name in ["y", "dx", "dγ", "dβ"]))
