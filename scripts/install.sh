#!/usr/bin/env bash
# Install venprs into ./.venv on a fresh Debian machine that has only python3.
#   bash scripts/install.sh          the package and its command-line tool
#   bash scripts/install.sh --test   also the test tools and Debian's Chromium (browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
apt_install() { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null; }

if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "installing python3-venv (Debian) ..." >&2
  apt_install python3-venv
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  if [ ! -x /usr/bin/chromium ]; then
    echo "installing chromium (Debian) for the browser tests ..." >&2
    apt_install chromium
  fi
  # axe-core (accessibility rules) for the browser tests, from the npm registry, into a git-ignored folder
  if [ ! -f .cache/npm/node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || { echo "installing npm (Debian) for axe-core ..." >&2; apt_install npm; }
    npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core >/dev/null
  fi
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e .
fi
echo "venprs installed in .venv ($(.venv/bin/python -c 'import venprs; print(venprs.__version__)'))" >&2
