#!/usr/bin/env bash
# Runs bn-train on seeds 1 to 5 and prints each run's last line, then the medians.
#   bash Benchmarks/scripts/bn_train_seeds.sh --dataset digits --backend opencl
# Extra arguments go to every run; plots are written only for seed 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product bn-train >/dev/null
bin="$(swift build -c release --show-bin-path)/bn-train"
results=()
for seed in 1 2 3 4 5; do
    plots=(--no-plots)
    [ "$seed" -eq 1 ] && plots=()
    line="$("$bin" --seed "$seed" "${plots[@]}" "$@" | tail -n 1)"
    echo "seed $seed: $line"
    results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import re, statistics, sys
pairs = [re.search(r"with batch norm (\S+(?: reached)?), without (.+)$", line).groups() for line in sys.stdin]
def median(values):
    numbers = sorted(float("inf") if v == "not reached" else int(v) for v in values)
    m = statistics.median_low(numbers) if len(numbers) % 2 else statistics.median(numbers)
    return "not reached" if m == float("inf") else f"{m:g}"
print(f"median over {len(pairs)} seeds: with batch norm {median(p[0] for p in pairs)}, without {median(p[1] for p in pairs)}")
'
