#!/usr/bin/env python3
"""Compares a bn-gpu-bench JSON report with a PyTorch anchor's JSON from the same command.

Usage: compare_with_torch.py ours.json torch.json

Prints a Markdown table (effective GB/s of both, our fraction of the copy ceiling, our speed over
PyTorch's) and, per pass, over the shapes with at least 8M elements: the range of our fraction of
copy and the geometric mean of the ratio to PyTorch. Both reports count effective bandwidth the same
way (forward passes 2 tensors, backward 3), so their GB/s compare directly.
"""
import json
import math
import sys

PASSES = [("forward_training", "train_gbs"), ("forward_inference", "infer_gbs"), ("backward", "bwd_gbs")]
LARGE = 8 * 1024 * 1024


def elements(shape):
    return math.prod(int(part) for part in shape.split("x"))


def main(ours_path, torch_path):
    ours = json.load(open(ours_path))
    torch = {(row["shape"], row["layout"]): row for row in json.load(open(torch_path))}
    print(f"copy ceiling: {ours['copy_gbps']:.2f} GB/s on {ours['device']}\n")
    print("| shape | layout | pass | ours GB/s | % of copy | PyTorch GB/s | ours / PyTorch |")
    print("|---|---|---|---:|---:|---:|---:|")
    summary = {name: {"fractions": [], "ratios": []} for name, _ in PASSES}
    for row in ours["rows"]:
        peer = torch.get((row["shape"], row["layout"]))
        key = dict(PASSES)[row["pass"]]
        torch_gbps = peer[key] if peer else float("nan")
        ratio = row["gbps"] / torch_gbps if peer else float("nan")
        print(f"| {row['shape']} | {row['layout']} | {row['pass']} | {row['gbps']:.2f} | "
              f"{100 * row['fraction_of_copy']:.0f} | {torch_gbps:.2f} | {ratio:.2f} |")
        if elements(row["shape"]) >= LARGE and peer:
            summary[row["pass"]]["fractions"].append(row["fraction_of_copy"])
            summary[row["pass"]]["ratios"].append(ratio)
    print("\nShapes with at least 8M elements:\n")
    print("| pass | rows | % of copy, lowest–highest | ours / PyTorch, geometric mean |")
    print("|---|---:|---:|---:|")
    for name, _ in PASSES:
        fractions, ratios = summary[name]["fractions"], summary[name]["ratios"]
        if not ratios:
            continue
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"| {name} | {len(ratios)} | {100 * min(fractions):.0f}–{100 * max(fractions):.0f} | {geomean:.2f} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
