#!/usr/bin/env bash
# CI step: build the bundle on this OS with the same spec as the releases, run the frozen app's
# --self-test headless, and print the bundle's size and the self-test's start-up time.
#
#   build/ci-bundle.sh [PYTHON]       # PYTHON: the project's venv interpreter (default .venv/bin/python)
#
# Fails when the build or the self-test fails. Targets (printed, not enforced): bundle <= 250 MB,
# self-test start-up <= 3 s.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}

# PyInstaller comes with the project's "build" extra
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
  "$python" -m pip install -q -e ".[build]"
fi

started=$(date +%s)
"$python" build/make.py
echo "bundle build time: $(( $(date +%s) - started )) s"

{ read -r bundle; read -r cli; read -r size_mb; } < <("$python" -c '
import sys; sys.path.insert(0, "build")
import make
bundle = make.bundle_path()
print(bundle); print(make.executable_path(make.CLI_NAME)); print(round(make.dir_size(bundle) / 1e6))')

# headless: no display, the offscreen Qt platform; a throw-away home for anything it writes
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
t0=$(date +%s%N)
set +e
env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen AFTERSALE_WATCH_HOME="$home" \
  "$cli" --self-test
status=$?
set -e
t1=$(date +%s%N)

startup_ms=$(( (t1 - t0) / 1000000 ))
echo "bundle size: ${size_mb} MB (target <= 250 MB) — $bundle"
echo "self-test start-up: $((startup_ms / 1000)).$(printf '%03d' $((startup_ms % 1000))) s (target <= 3 s)"
if (( size_mb > 250 )); then echo "WARNING: the bundle is over its 250 MB target"; fi
if (( startup_ms > 3000 )); then echo "WARNING: the self-test start-up is over its 3 s target"; fi
if (( status != 0 )); then
  echo "the frozen app's self-test FAILED (exit $status)"
  exit "$status"
fi
echo "the frozen app's self-test passed"
