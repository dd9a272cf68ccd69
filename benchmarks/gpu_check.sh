#!/usr/bin/env bash
# The GPU check of SiamRPN++ and the batched engine, in one run (about 6 minutes on an H100/H200;
# the step limits add up to 480 s).
#
#   OUT=/some/dir bash benchmarks/gpu_check.sh          # from anywhere; writes everything to $OUT
#
# Needs: python with torch (CUDA), torchvision (optional: nvJPEG), numpy, opencv, pytest, pyyaml,
# tqdm; no installation of sotbench (PYTHONPATH is set to the checkout), no network.
# Test data: $SOTBENCH_SHARED laid out like ../shared (fixtures/ and data/sequences/VOT2018/bag);
# when it is unset, $REPO/.gpu/fixtures and $REPO/.gpu/bag are linked into that layout.
#
# Steps (each with its own time limit; a failing step does not stop the others):
#   01 environment           GPU, versions, nvJPEG                                 ->  01_env.log
#   02 GPU tests             pytest -m gpu tests/siamrpnpp tests/engine           ->  02_pytest_gpu.log
#   03 engine fidelity       fixtures: fp32/tf32/bf16 deltas, engine vs single    ->  03_fidelity.log, engine-fidelity.md
#   04 single-stream speed   benchmarks/siamrpnpp.py --device cuda                ->  04_siamrpnpp_bench.log
#   05 engine speed          benchmarks/engine.py (3 s per case after 2 s warm-up)                 ->  05_engine_bench.log, engine-benchmark.md
# summary.txt lists each step's exit status and seconds.  DEVICE=cpu runs the same steps on the
# CPU with tiny settings (a dry run of this script).
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$REPO/.gpu/out}
PYTHON=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
mkdir -p "$OUT"
cd "$REPO" || exit 1
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sotbench-gpu-check.XXXXXX")

if [ -z "${SOTBENCH_SHARED:-}" ]; then
  if [ -d "$REPO/.gpu/fixtures" ]; then
    SOTBENCH_SHARED=$WORK/shared
    mkdir -p "$SOTBENCH_SHARED/data/sequences/VOT2018"
    ln -s "$REPO/.gpu/fixtures" "$SOTBENCH_SHARED/fixtures"
    [ -d "$REPO/.gpu/bag" ] && ln -s "$REPO/.gpu/bag" "$SOTBENCH_SHARED/data/sequences/VOT2018/bag"
  elif [ -d "$REPO/../shared/fixtures" ]; then
    SOTBENCH_SHARED=$(cd "$REPO/../shared" && pwd)
  else
    echo "warning: no fixtures ($REPO/.gpu/fixtures or \$SOTBENCH_SHARED): fixture tests will skip" | tee -a "$OUT/summary.txt"
    SOTBENCH_SHARED=$WORK/none
  fi
fi
export SOTBENCH_SHARED

step() {  # step NAME SECONDS COMMAND...: run with a time limit, log to $OUT/NAME.log, note the status
  local name=$1 limit=$2
  shift 2
  echo "== $name (limit ${limit}s): $*"
  local t0=$SECONDS
  timeout -k 15 "$limit" "$@" 2>&1 | tee "$OUT/$name.log"
  local rc=${PIPESTATUS[0]}
  local note=""
  [ "$rc" = 124 ] && note=" (timed out)"
  echo "$name: exit $rc$note, $((SECONDS - t0)) s" | tee -a "$OUT/summary.txt"
}

if [ "$DEVICE" = cpu ]; then
  FID_FRAMES=2; BENCH_FRAMES=3; ENGINE_ARGS=(--quick)
else
  FID_FRAMES=59; BENCH_FRAMES=200; ENGINE_ARGS=(--seconds-per-case 3 --warmup 2 --ref-frames 100)
fi

echo "sotbench GPU check: $(date -u +%FT%TZ), repo $REPO, shared $SOTBENCH_SHARED, device $DEVICE" | tee "$OUT/summary.txt"

step 01_env 25 bash -c "nvidia-smi || true; \"$PYTHON\" benchmarks/env_report.py"

step 02_pytest_gpu 120 "$PYTHON" -m pytest -m gpu -q -rfEs -p no:cacheprovider tests/siamrpnpp tests/engine

step 03_fidelity 75 "$PYTHON" benchmarks/engine_fidelity.py --device "$DEVICE" --frames "$FID_FRAMES" \
  --out "$OUT/engine-fidelity.md"

step 04_siamrpnpp_bench 50 "$PYTHON" benchmarks/siamrpnpp.py --device "$DEVICE" --frames "$BENCH_FRAMES" --repeat 2 \
  --cpu-frames "$BENCH_FRAMES"

step 05_engine_bench 210 "$PYTHON" benchmarks/engine.py --device "$DEVICE" "${ENGINE_ARGS[@]}" \
  --data "$WORK/jpegs" --out "$OUT/engine-benchmark.md"

rm -rf "$WORK"
echo "done: $(date -u +%FT%TZ); files in $OUT" | tee -a "$OUT/summary.txt"
