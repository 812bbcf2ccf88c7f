#!/usr/bin/env bash
# Rebuilds the Fashion-MNIST example from Debian's dataset-fashion-mnist:
#   model.npz     784-128-10 MLP, trained and quantized by `zynqnet train` (format 1,
#                 uint8 activations, per-tensor int8 weights, (M, s) half_up)
#   test-200.npz  the first 200 test images (uint8, (200, 28, 28)) and labels, for
#                 `zynqnet infer --model model.npz test-200.npz`
# Deterministic for the seed on a given machine (x86-64 with AVX2+FMA here; the portable
# SGEMM path rounds differently and gives a slightly different model).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product zynqnet
.build/release/zynqnet train --dataset fashion-mnist --layers 784,128,10 --epochs 20 --lr 0.002 --seed 1 \
  -o examples/fashion-mnist/model.npz
python3 - <<'PY'
import gzip, numpy as np
d = "/usr/share/datasets/fashion-mnist/"
images = np.frombuffer(gzip.open(d + "t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28)
labels = np.frombuffer(gzip.open(d + "t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
np.savez("examples/fashion-mnist/test-200.npz", images=images[:200], labels=labels[:200])
PY
# zynqnet demo carries both files: the next build embeds them (Plugins/EmbedFiles).
