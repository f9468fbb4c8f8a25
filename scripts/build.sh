#!/usr/bin/env bash
# Configures (Ninja) and builds everything: the binary, unit tests, test tools
# and benchmarks.
#   BUILD_DIR   build directory (default ./build)
#   JOBS        parallel jobs (default 2: the machines have 2 cores, shared)
#   extra arguments go to `cmake --build` (e.g. --target core_tests)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-2}

# Configure only once; CMake re-runs itself when CMakeLists.txt or a glob changes.
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja
fi
cmake --build "$BUILD_DIR" -j "$JOBS" "$@"
