#!/bin/sh
# Debian packages the repository's scripts and tests need beyond the Swift toolchain.
# Idempotent: safe to rerun. Other helpers add their packages to the list.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
    python3 python3-numpy python3-venv \
    dataset-fashion-mnist
