#!/usr/bin/env bash
# Sets up everything xlcrm needs on a fresh Linux machine: a virtual environment in .venv
# with the package, its demo and test tools, and (for PDF printing) LibreOffice, a Chinese font
# and poppler's pdftotext, and (for the tests of a PostgreSQL customer store) PostgreSQL's
# server programs, installed from Debian when missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || missing+=(fonts-noto-cjk)
# the tests start a private PostgreSQL server (a department's customer store) from Debian's package
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: PDF printing and the PostgreSQL tests need ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,demo]'
