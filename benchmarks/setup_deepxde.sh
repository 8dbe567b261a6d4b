#!/usr/bin/env bash
# A separate virtual environment with DeepXDE and its JAX backend (flax), for
# benchmarks/pinn_speed.py. Separate because DeepXDE pins and imports things eqc does not
# need; eqc's own environment stays as pyproject.toml says.
#   bash benchmarks/setup_deepxde.sh [DIR]     (default: .venv-deepxde at the repo root)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$here/.venv-deepxde}"
python3 -m venv "$dir"
"$dir/bin/pip" install --quiet "deepxde>=1.12" flax "jax[cpu]" optax
"$dir/bin/python" -c "import os; os.environ['DDE_BACKEND'] = 'jax'; import deepxde; print('deepxde', deepxde.__version__, 'in', '$dir')"
