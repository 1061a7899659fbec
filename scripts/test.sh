#!/usr/bin/env bash
# The whole check, as CI runs it: lint (ruff), types (mypy), then the test suite on 2 cores.
# Run after `bash scripts/install.sh --test`.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 -q "$@"
