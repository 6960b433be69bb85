#!/usr/bin/env bash
# train_gpt --ddp on 2 ranks against 1 process on the same global batches (ctest
# train_gpt_ddp_2_ranks). Dropout off, so both runs compute the same function; the
# evaluations' train and validation losses must agree to float rounding (|diff| <= 2e-3 at
# the 3 printed decimals), and a run whose gradients were not averaged (summed, or one
# rank's alone) would not. Usage: train_gpt_ddp.sh TRAIN_GPT VOCAB_DIR MPIEXEC [MPI FLAGS...]
set -euo pipefail
train_gpt=$1 vocab=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--preset tiny --steps 12 --eval-interval 4 --dropout 0 --no-timing --vocab "$vocab")
"$train_gpt" "${args[@]}" --out "$tmp/one" > "$tmp/one.log"
OMP_NUM_THREADS=1 "$@" -np 2 "$train_gpt" "${args[@]}" --ddp --out "$tmp/two" > "$tmp/two.log"
grep -q "data parallel: 2 ranks" "$tmp/two.log" || { echo "train_gpt --ddp did not run on 2 ranks"; cat "$tmp/two.log"; exit 1; }
losses() { grep -o 'train loss [0-9.]*, val loss [0-9.]*' "$1" | awk '{print $3, $6}' | tr -d ,; }
losses "$tmp/one.log" > "$tmp/one.txt"
losses "$tmp/two.log" > "$tmp/two.txt"
echo "1 process | 2 ranks (train loss, val loss at steps 1, 4, 8, 12):"
paste "$tmp/one.txt" "$tmp/two.txt"
[ "$(wc -l < "$tmp/one.txt")" -eq 4 ] && [ "$(wc -l < "$tmp/two.txt")" -eq 4 ] || { echo "expected 4 evaluations each"; exit 1; }
paste "$tmp/one.txt" "$tmp/two.txt" | awk '{ for (i = 1; i <= 2; ++i) { d = $i - $(i + 2); if (d < 0) d = -d; if (d > 0.002) bad = 1 } }
  END { if (bad) { print "FAIL: 2 ranks do not match 1 process"; exit 1 } print "ok" }'
