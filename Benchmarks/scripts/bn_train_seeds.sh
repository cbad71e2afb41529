#!/usr/bin/env bash
# Runs bn-train on seeds 1 to 5 and prints each run's last line (after its folded evaluation, for
# --model conv) and wall time, then the median and range (min-max) of the epochs to the target.
#   bash Benchmarks/scripts/bn_train_seeds.sh --dataset digits --backend opencl
#   bash Benchmarks/scripts/bn_train_seeds.sh --model conv --layout nhwc
# Extra arguments go to every run; plots are written only for seed 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product bn-train >/dev/null
bin="$(swift build -c release --show-bin-path)/bn-train"
results=()
for seed in 1 2 3 4 5; do
    plots=(--no-plots)
    [ "$seed" -eq 1 ] && plots=()
    start=$(date +%s.%N)
    output="$("$bin" --seed "$seed" "${plots[@]}" "$@")"
    seconds=$(python3 -c "print($(date +%s.%N) - $start)")
    grep "folded into the convolutions" <<<"$output" | sed "s/^/seed $seed: /" || true
    line="$(tail -n 1 <<<"$output")"
    printf 'seed %s (%.1f s): %s\n' "$seed" "$seconds" "$line"
    results+=("$seconds $line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import re, statistics, sys
runs = [line.split(" ", 1) for line in sys.stdin]
pairs = [re.search(r"with batch norm (\S+(?: reached)?), without (.+)$", line).groups() for _, line in runs]
def number(value):
    return float("inf") if value == "not reached" else int(value)
def text(value):
    return "not reached" if value == float("inf") else f"{value:g}"
def summary(values):
    numbers = sorted(number(v) for v in values)
    m = statistics.median_low(numbers) if len(numbers) % 2 else statistics.median(numbers)
    return f"{text(m)} ({text(numbers[0])}-{text(numbers[-1])})"
seconds = statistics.median(float(s) for s, _ in runs)
print(f"median (range) over {len(pairs)} seeds: with batch norm {summary(p[0] for p in pairs)}, "
      f"without {summary(p[1] for p in pairs)}; median wall time {seconds:.1f} s")
'
