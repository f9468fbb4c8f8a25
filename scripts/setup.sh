#!/usr/bin/env bash
# Installs everything the build, the unit tests and the local service stack need.
# Safe to run again: each step checks first and prints nothing when all is there.
#
#   Debian packages      -> system (apt-get, only when something is missing)
#   Python tools         -> ./.venv          (requirements.txt, pinned)
#   dynalite             -> ./node_modules   (package-lock.json, npm ci)
#   Lambda RIE           -> ./.tools/bin     (go install, pinned below)
#   actionlint           -> ./.tools/bin     (go install, pinned below: checks .github/workflows)
#
#   --arm64   also what scripts/package.sh needs for the arm64 package: the arm64
#             architecture in dpkg (multiarch), Debian's cross toolchain, the arm64
#             libraries the binary links, and qemu-user to run them. Not part of the default
#             set-up: it adds a second set of package indexes to every apt-get update.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# The module proxy serves no tagged release of the emulator, so it is pinned to a
# pseudo-version of its main branch that builds with Go 1.26.
RIE_MODULE=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d

ACTIONLINT_MODULE=github.com/rhysd/actionlint/cmd/actionlint
ACTIONLINT_VERSION=v1.7.12

APT_PACKAGES=(
  build-essential cmake ninja-build
  libboost-dev libssl-dev nlohmann-json3-dev libsimdjson-dev libpugixml-dev
  prometheus-cpp-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang-format prometheus-pushgateway zip curl
  prometheus  # promtool: tests the alerting rules in deploy/prometheus
)

# The arm64 libraries are the arm64 builds of what the binary links (Multi-Arch: same, so
# they sit beside the x86_64 ones); headers come from the x86_64 -dev packages above.
# prometheus-cpp-dev itself cannot be installed twice (its civetweb is not multiarch), nor
# can libsimdjson-dev, so only their libraries are, and CMakeLists.txt finds them by name
# when cross-compiling.
ARM64_PACKAGES=(
  crossbuild-essential-arm64 qemu-user
  libssl-dev:arm64 libpugixml-dev:arm64 libprometheus-cpp-core1.0:arm64 libsimdjson14:arm64
)

# The sanitizer and fuzzer builds (scripts/test_hardened.sh): Debian's clang and its
# compiler-rt, which holds the ASan, UBSan, TSan and libFuzzer runtimes.
HARDENED_APT_PACKAGES=(clang-14 libclang-rt-14-dev llvm-14)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_ensure() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# A stamp holds the hash of the file an install was made from, so an edited
# requirements.txt or package-lock.json triggers a reinstall and nothing else does.
stamp_matches() { [ -f "$2" ] && [ "$(cat "$2")" = "$(sha256sum "$1" | cut -d' ' -f1)" ]; }
write_stamp() { sha256sum "$1" | cut -d' ' -f1 >"$2"; }

setup_apt() {
  apt_ensure "${APT_PACKAGES[@]}" "${HARDENED_APT_PACKAGES[@]}"
}

setup_toolchains() {
  # The machines this project runs on ship Python, Node.js and Go; a plain Debian
  # install may not, so fall back to Debian's packages.
  command -v python3 >/dev/null || apt_ensure python3
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_ensure python3-venv
  command -v node >/dev/null && command -v npm >/dev/null || apt_ensure nodejs npm
  command -v go >/dev/null || apt_ensure golang-go
}

setup_venv() {
  local stamp=.venv/.requirements.sha256
  if [ -x .venv/bin/python ] && stamp_matches requirements.txt "$stamp"; then return 0; fi
  say "creating .venv from requirements.txt"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  write_stamp requirements.txt "$stamp"
}

setup_node() {
  local stamp=node_modules/.package-lock.sha256
  if [ -x node_modules/.bin/dynalite ] && stamp_matches package-lock.json "$stamp"; then return 0; fi
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  write_stamp package-lock.json "$stamp"
}

# A Go tool, built by `go install` of its pinned module version into .tools/bin; a stamp
# beside it holds the version, so that a new pin rebuilds it and nothing else does.
#   go_tool NAME MODULE VERSION WHAT-TO-SAY-ON-FAILURE
go_tool() {
  local name=$1 module=$2 version=$3 hint=$4
  local bin=.tools/bin/$name stamp=.tools/$name.version
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then return 0; fi
  say "building $name $version with $(go version | cut -d' ' -f3)"
  mkdir -p .tools/bin
  GOBIN="$ROOT/.tools/bin" go install "$module@$version" || die "go install of $name failed$hint"
  echo "$version" >"$stamp"
}

setup_rie() {
  go_tool aws-lambda-rie "$RIE_MODULE" "$RIE_VERSION" \
    " (it needs the Go version its go.mod names; see 'go version')"
}

setup_actionlint() {
  go_tool actionlint "$ACTIONLINT_MODULE" "$ACTIONLINT_VERSION" ""
}

setup_arm64() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding the arm64 architecture to dpkg (multiarch)"
    as_root dpkg --add-architecture arm64
    as_root apt-get update -qq
  fi
  apt_ensure "${ARM64_PACKAGES[@]}"
}

setup_apt
[ "${1:-}" != --arm64 ] || setup_arm64
setup_toolchains
setup_venv
setup_node
setup_rie
setup_actionlint
