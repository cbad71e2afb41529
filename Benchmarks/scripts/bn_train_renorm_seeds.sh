#!/usr/bin/env bash
# Runs bn-train --normalization renorm on seeds 1 to 5 and prints each run's last line and wall
# time, then the median and range (min-max) of each network's held-out accuracy.
#   bash Benchmarks/scripts/bn_train_renorm_seeds.sh --dataset digits --batch-size 4 --learning-rate 0.05 --epochs 20
#   bash Benchmarks/scripts/bn_train_renorm_seeds.sh --dataset digits --batches non-iid
# Extra arguments go to every run; no plots are written.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product bn-train >/dev/null
bin="$(swift build -c release --show-bin-path)/bn-train"
results=()
for seed in 1 2 3 4 5; do
    start=$(date +%s.%N)
    line="$("$bin" --seed "$seed" --no-plots --normalization renorm "$@" | tail -n 1)"
    seconds=$(python3 -c "print($(date +%s.%N) - $start)")
    printf 'seed %s (%.1f s): %s\n' "$seed" "$seconds" "$line"
    results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import re, statistics, sys
names = ["batch renorm", "batch norm", "none"]
runs = [dict((name, float(value)) for name, value in re.findall(r"(batch renorm|batch norm|none) ([\d.]+) %", line))
        for line in sys.stdin]
parts = []
for name in names:
    values = [run[name] for run in runs]
    parts.append(f"{name} {statistics.median(values):.1f} % ({min(values):.1f}-{max(values):.1f})")
print(f"median (range) over {len(runs)} seeds: " + ", ".join(parts))
'
