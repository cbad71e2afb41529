#!/usr/bin/env bash
# One call on the lent GPU machine: tune, bench tuned and heuristic, time PyTorch, compare.
#   here:  ../shared/gpu/stage.sh      (builds bn-gpu-bench into .gpu/ with run.sh and torch_bn_anchor.py)
#   there: bash Benchmarks/scripts/gpu_session.sh     (device run, carry [".gpu"], from the repository root)
# Steps, in this order, each under `timeout` and each run even when an earlier one failed:
#   devices            bn-gpu-bench devices (and nvidia-smi -L where there is one)
#   tune               bn-gpu-bench tune --device D --output $OUT/tuning.txt
#   ours               the bench with that table (BN_TUNING_FILE=$OUT/tuning.txt) --json $OUT/ours.json
#   torch              python3 .gpu/torch_bn_anchor.py --json $OUT/torch.json, right after, same shapes
#   compare            bn-gpu-bench compare ours.json torch.json --label L > $OUT/compare.md
#   heuristic          the bench with no user table (BN_TUNING_FILE names a file that does not exist, and
#                      the built-in table has no row for the device) --json $OUT/heuristic.json
#   compare-heuristic  the same comparison of heuristic.json > $OUT/compare-heuristic.md
# Every bench call goes through .gpu/run.sh, which registers NVIDIA's OpenCL library. What comes back:
# those 6 files and $OUT/session.log (each step's command, status, seconds and output, then a summary);
# the machine returns at most 8 files, hence one log. Exits 1 when any step failed, timed out or was skipped.
# The whole fits in BN_SESSION_BUDGET seconds: a step gets its own limit or what is left after the time
# kept for the steps after it, whichever is less; the heuristic run, last, takes what remains.
# Environment (defaults in brackets):
#   BN_SESSION_DEVICE [NVIDIA]  BN_SESSION_LABEL [H200]  BN_SESSION_BUDGET [560]
#   BN_SESSION_SHAPES [the bench's standard set]  BN_SESSION_TUNE_RUNS [5]  BN_SESSION_ITERATIONS [20]
#   BN_SESSION_GPU_DIR [.gpu]  BN_SESSION_PYTHON [python3]
#   BN_SESSION_TUNE_S [150]  BN_SESSION_BENCH_S [180]  BN_SESSION_TORCH_S [90]
# A dry run on PoCL with tiny shapes and a stand-in GPU folder, for instance:
#   OUT=/tmp/out BN_SESSION_DEVICE=pthread BN_SESSION_LABEL=PoCL BN_SESSION_SHAPES=60x100,8x16x12x12 \
#   BN_SESSION_TUNE_RUNS=1 BN_SESSION_ITERATIONS=1 BN_SESSION_GPU_DIR=/tmp/fake-gpu bash Benchmarks/scripts/gpu_session.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder whose files come back}"
mkdir -p "$OUT"
device=${BN_SESSION_DEVICE:-NVIDIA}
label=${BN_SESSION_LABEL:-H200}
gpu=${BN_SESSION_GPU_DIR:-.gpu}
bench=(bash "$gpu/run.sh" bn-gpu-bench)
# The bench's standard set (`bn-gpu-bench shapes`), which it and tune use without --shapes; PyTorch
# gets the same list.
shapes=${BN_SESSION_SHAPES:-$("${bench[@]}" shapes)}
if [ -z "$shapes" ]; then
    echo "gpu_session.sh: \`${bench[*]} shapes\` printed no shapes; is $gpu staged?" | tee "$OUT/session.log" >&2
    exit 1
fi
python=${BN_SESSION_PYTHON:-python3}
deadline=$((SECONDS + ${BN_SESSION_BUDGET:-560}))
log=$OUT/session.log
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
: > "$log"
summary=()
failed=0

# step NAME LIMIT KEEP STDOUT COMMAND...: runs COMMAND for at most LIMIT seconds, and never past the
# deadline less KEEP seconds kept for later steps; STDOUT is a file for its standard output, or - for
# the log. Its output also stays in $scratch/NAME.out for the checks below.
step() {
    local name=$1 limit=$2 keep=$3 stdout=$4
    shift 4
    local left=$((deadline - SECONDS - keep))
    [ "$left" -lt "$limit" ] && limit=$left
    {
        echo "=== $name: $*"
        echo "    limit ${limit}s, $((deadline - SECONDS))s left in the budget"
    } >> "$log"
    if [ "$limit" -lt 5 ]; then
        echo "    skipped: no time left" >> "$log"
        summary+=("$(printf '%-18s skipped (no time left)' "$name")")
        failed=1
        return 1
    fi
    local start=$SECONDS status
    if [ "$stdout" = - ]; then
        timeout --kill-after=10 "$limit" "$@" > "$scratch/$name.out" 2>&1
        status=$?
    else
        timeout --kill-after=10 "$limit" "$@" > "$stdout" 2> "$scratch/$name.out"
        status=$?
    fi
    cat "$scratch/$name.out" >> "$log"
    # A failed step's empty output file would only stand in the way of the files that matter.
    [ "$stdout" != - ] && [ "$status" -ne 0 ] && [ ! -s "$stdout" ] && rm -f "$stdout"
    local took=$((SECONDS - start)) outcome=ok
    case $status in
        0) ;;
        124 | 137) outcome="timed out after ${limit}s" ;;
        *) outcome="failed with status $status" ;;
    esac
    echo "=== $name: $outcome in ${took}s" >> "$log"
    summary+=("$(printf '%-18s %-32s %4ss' "$name" "$outcome" "$took")")
    [ "$status" -eq 0 ] || failed=1
    return "$status"
}

# skip NAME REASON: records a step that cannot run because an earlier one failed.
skip() {
    echo "=== $1: skipped: $2" >> "$log"
    summary+=("$(printf '%-18s skipped (%s)' "$1" "$2")")
    failed=1
}

# note TEXT: a warning in the log and the summary.
note() {
    echo "!!! $1" >> "$log"
    summary+=("    note: $1")
}

measure=(--device "$device" --shapes "$shapes" --iterations "${BN_SESSION_ITERATIONS:-20}")
bench_s=${BN_SESSION_BENCH_S:-180}
torch_s=${BN_SESSION_TORCH_S:-90}

step devices 30 0 - "${bench[@]}" devices
if command -v nvidia-smi > /dev/null; then
    timeout 10 nvidia-smi -L >> "$log" 2>&1
fi

# Kept for what follows the tuned bench: PyTorch and both comparisons.
step tune "${BN_SESSION_TUNE_S:-150}" $((bench_s + torch_s + 40)) - \
    "${bench[@]}" tune --device "$device" --shapes "$shapes" --runs "${BN_SESSION_TUNE_RUNS:-5}" --output "$OUT/tuning.txt"

if [ -s "$OUT/tuning.txt" ]; then
    if step ours "$bench_s" $((torch_s + 40)) - \
        env BN_TUNING_FILE="$OUT/tuning.txt" "${bench[@]}" "${measure[@]}" --json "$OUT/ours.json"; then
        grep -q "^launch settings: tuning table .*tuning.txt" "$scratch/ours.out" \
            || note "the tuned run did not say it used $OUT/tuning.txt; see its 'launch settings:' line"
    fi
else
    skip ours "tune wrote no $OUT/tuning.txt"
fi

step torch "$torch_s" 40 - "$python" "$gpu/torch_bn_anchor.py" --shapes "$shapes" --layouts nchw,nhwc --json "$OUT/torch.json"

if [ -s "$OUT/ours.json" ] && [ -s "$OUT/torch.json" ]; then
    step compare 20 20 "$OUT/compare.md" "${bench[@]}" compare "$OUT/ours.json" "$OUT/torch.json" --label "$label"
else
    skip compare "ours.json or torch.json is missing"
fi

# A table file that does not exist: the user's table is empty, so the built-in table, then the heuristic.
if step heuristic $((deadline - SECONDS)) 20 - \
    env BN_TUNING_FILE="$scratch/no-tuning-table.txt" "${bench[@]}" "${measure[@]}" --json "$OUT/heuristic.json"; then
    grep -q "^launch settings: no tuning table" "$scratch/heuristic.out" \
        || note "the heuristic run did not use the heuristic settings (a built-in row for the device?); see its 'launch settings:' line"
fi

if [ -s "$OUT/heuristic.json" ] && [ -s "$OUT/torch.json" ]; then
    step compare-heuristic 20 0 "$OUT/compare-heuristic.md" \
        "${bench[@]}" compare "$OUT/heuristic.json" "$OUT/torch.json" --label "$label heuristic"
else
    skip compare-heuristic "heuristic.json or torch.json is missing"
fi

{
    echo
    echo "=== summary ($SECONDS s in all)"
    printf '%s\n' "${summary[@]}"
} | tee -a "$log"
for file in compare.md compare-heuristic.md; do
    [ -s "$OUT/$file" ] && { echo; echo "=== $file"; cat "$OUT/$file"; }
done
exit "$failed"
