#!/usr/bin/env bash
# The main job: installs what it needs, then trains the notes' softmax regression on the real
# Fashion-MNIST (10 epochs, batch 256, SGD lr 0.1) with a progress bar, saving the run to
# runs/softmax-<date>-<time>/ (weights, metrics.json, curves.svg).
# Extra arguments go to `softmax-nn train` (e.g. --model mlp --epochs 20 --out runs/mlp).
# SOFTMAX_NN_SKIP_SETUP=1 skips the install and build (everything already built: the README's tests).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${SOFTMAX_NN_SKIP_SETUP:-}" in
  "") bash "$ROOT/scripts/setup.sh" --minimal ;;
  1) ;;
  *) echo "train.sh: SOFTMAX_NN_SKIP_SETUP must be 1 or unset, got '${SOFTMAX_NN_SKIP_SETUP}'" >&2; exit 2 ;;
esac
cd "$ROOT"
if [ "$#" -eq 0 ]; then
  set -- --model softmax --epochs 10 --batch-size 256 --lr 0.1
fi
exec node packages/ts-api/dist/cli/main.js train "$@"
