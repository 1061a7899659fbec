#!/usr/bin/env bash
# The whole check, as CI runs it: lint (ruff), types (mypy), the API reference (Sphinx, warnings are
# errors), then the test suite on 2 cores.
# Run after `bash scripts/install.sh --test`.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
apidoc="$(mktemp -d)"
trap 'rm -rf "$apidoc"' EXIT
.venv/bin/sphinx-build -W --keep-going -q -b html docs/api "$apidoc"
.venv/bin/python -m pytest -n 2 -q "$@"
