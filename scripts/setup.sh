#!/usr/bin/env bash
# Installs everything mixdown needs on a fresh Debian machine: system packages, a
# virtual environment in .venv, and the package with its pinned dependencies.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-dev,postgres,cluster}

apt_packages() {
    grep -v '^\s*#' scripts/apt-packages.txt | tr -s ' \n' ' '
}

install_system_packages() {
    local missing=()
    for pkg in $(apt_packages); do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python_packages() {
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade "pip>=24"
    # torch first, from the local CPU wheel; anything later asking for torch then finds it
    # installed instead of pulling the CUDA build (several GB).
    "$VENV/bin/python" -m pip install -q "torch==$(grep -oP '^torch==\K[0-9.]+' constraints.txt)"
    "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[$EXTRAS]"
    # basic-pitch's declared dependencies pull TensorFlow; its ONNX model needs only what
    # pyproject already lists (onnxruntime, librosa, pretty-midi, resampy, scikit-learn...).
    "$VENV/bin/python" -m pip install -q --no-deps -c constraints.txt basic-pitch
}

install_system_packages
install_python_packages
touch "$VENV/.installed"
echo "setup: done ($("$VENV/bin/mixdown" --help >/dev/null && echo 'mixdown ready'))"
