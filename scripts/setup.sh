#!/usr/bin/env bash
# Sets up everything xlcrm needs on a fresh Linux machine: a virtual environment in .venv
# with the package and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
