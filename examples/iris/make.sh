#!/usr/bin/env bash
# Rebuilds the Iris example from iris.csv (Fisher's 150 samples, R's `iris` values):
#   model.npz    4-30-30-3 MLP trained by `zynqnet train` on a seed-fixed 80 % (120 rows);
#                the feature standardization is folded into layer 0, so the model takes raw
#                centimetres, quantized on one uint8 grid (scale 7.9/255, zero 0)
#   test-30.npz  the held-out 20 % (30 rows, float32 features, labels 0 setosa,
#                1 versicolor, 2 virginica), for `zynqnet infer --model model.npz test-30.npz`
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product zynqnet
.build/release/zynqnet train --dataset examples/iris/iris.csv --layers 4,30,30,3 --epochs 200 --batch 16 \
  --lr 0.01 --seed 1 -o examples/iris/model.npz --save-test-set examples/iris/test-30.npz
