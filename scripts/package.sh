#!/usr/bin/env bash
# Builds the deployable Lambda packages in one command:
#   dist/snapshot-sender-status-checker-x86_64.zip     for the provided.al2023 runtime, x86_64
#   dist/snapshot-sender-status-checker-aarch64.zip    the same for arm64 (Graviton)
#   dist/snapshot-sender-status-checker-<arch>.debug   debug symbols, kept out of the zips
#
# Each zip holds
#   bootstrap                               the entry point Lambda runs (a small sh script)
#   bin/snapshot-sender-status-checker      the stripped binary
#   lib/                                    every shared library it loads, glibc and its
#                                           dynamic loader included
# because Lambda's OS has an older glibc (2.34) than the machines that build it (2.36):
# the bundled loader runs the binary on the bundled C library, whatever the host has.
# docs/deployment.md says why this and not static linking.
#
# arm64 is cross-compiled with Debian's cross toolchain against arm64 libraries installed
# through multiarch, and checked under qemu-user; `scripts/setup.sh --arm64` installs those
# (this script runs it when they are missing).
#
#   ARCHES      which packages (default "x86_64 aarch64")
#   BUILD_DIR   the x86_64 Release build directory (default ./build/package, apart from the
#               developers' ./build); arm64 builds in ./build/package-aarch64
#   DIST_DIR    where the zips go (default ./dist)
#   JOBS        parallel build jobs (default 2)
#   BINARY      package this already built x86_64 binary instead of building one (the tests
#               use it with the test build, which has the same -O2 -g flags); x86_64 only
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Absolute: the zip is written from inside the staging directory.
DIST_DIR=$(realpath -m "${DIST_DIR:-$ROOT/dist}")
JOBS=${JOBS:-2}
NAME=snapshot-sender-status-checker
if [ -n "${BINARY:-}" ]; then ARCHES=${ARCHES:-x86_64}; else ARCHES=${ARCHES:-"x86_64 aarch64"}; fi

say() { printf 'package: %s\n' "$*"; }
die() { printf 'package: ERROR: %s\n' "$*" >&2; exit 1; }
size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# Builds are made on x86_64; arm64 is cross-compiled from there.
[ "$(uname -m)" = x86_64 ] || die "packages are built on x86_64 (this machine is $(uname -m))"
for tool in cmake ninja objcopy strip readelf zip; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done
if [ -n "${BINARY:-}" ] && [ "$ARCHES" != x86_64 ]; then
  die "BINARY packages an x86_64 binary; ARCHES=$ARCHES"
fi

started=$SECONDS
STAGE_TMP=
trap '[ -z "$STAGE_TMP" ] || rm -rf "$STAGE_TMP"' EXIT

# The per-architecture settings: loader, binutils, build directory, how to run the target's
# programs (qemu-user for arm64) and the CMake toolchain.
set_arch() {
  case $1 in
    x86_64)
      LOADER=ld-linux-x86-64.so.2
      TOOL_PREFIX=
      RUN_TARGET=()
      ARCH_BUILD_DIR=${BUILD_DIR:-$ROOT/build/package}
      TOOLCHAIN=()
      ;;
    aarch64)
      LOADER=ld-linux-aarch64.so.1
      TOOL_PREFIX=aarch64-linux-gnu-
      RUN_TARGET=(qemu-aarch64)
      ARCH_BUILD_DIR=$ROOT/build/package-aarch64
      TOOLCHAIN=("-DCMAKE_TOOLCHAIN_FILE=$ROOT/cmake/aarch64-linux-gnu.cmake")
      if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64 >/dev/null ||
        [ ! -f /usr/lib/aarch64-linux-gnu/libcrypto.a ]; then
        say "the arm64 toolchain or libraries are missing: running scripts/setup.sh --arm64"
        bash "$ROOT/scripts/setup.sh" --arm64
      fi
      ;;
    *) die "unknown architecture $1 (x86_64 or aarch64)" ;;
  esac
}

configure() {
  # -O2 rather than CMake's Release default -O3: GCC 12 at -O3 reports a false
  # -Wrestrict inside std::string (GCC bug 105651), and warnings are errors here.
  # -g gives the separate debug file; the zip gets the stripped binary.
  cmake -S "$ROOT" -B "$ARCH_BUILD_DIR" -G Ninja "${TOOLCHAIN[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG" \
    -DSSC_BUILD_TESTS=OFF -DSSC_BUILD_BENCH=OFF >/dev/null
}

# "soname => path" lines, as ldd prints them, from the target's own dynamic loader (under
# qemu-user for arm64), so that no library of another architecture is taken.
list_libraries() {
  local binary=$1 interpreter
  interpreter=$(readelf -l "$binary" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
  [ -f "$interpreter" ] || die "no dynamic loader $interpreter found for $binary"
  "${RUN_TARGET[@]}" "$interpreter" --list "$binary"
}

package_arch() {
  local arch=$1 binary stage zip debug_file version missing unpacked soname arrow path rest
  set_arch "$arch"
  zip=$DIST_DIR/$NAME-$arch.zip
  debug_file=$DIST_DIR/$NAME-$arch.debug
  if [ -n "${BINARY:-}" ]; then
    [ -x "$BINARY" ] || die "BINARY=$BINARY is not an executable"
    say "packaging the given binary $BINARY"
    binary=$BINARY
    STAGE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ssc-package.XXXXXX")
    stage=$STAGE_TMP
  else
    say "building $NAME for $arch (Release) in $ARCH_BUILD_DIR"
    configure
    cmake --build "$ARCH_BUILD_DIR" -j "$JOBS" --target "$NAME"
    binary=$ARCH_BUILD_DIR/$NAME
    stage=$ARCH_BUILD_DIR/lambda-package
  fi
  [ -n "$stage" ] || die "no staging directory"

  rm -rf "$stage"
  mkdir -p "$stage/bin" "$stage/lib" "$DIST_DIR"

  # Debug symbols go to a file of their own, linked from the stripped binary by name
  # and build id, so a core or a stack trace from Lambda can still be read.
  "${TOOL_PREFIX}objcopy" --only-keep-debug "$binary" "$debug_file"
  "${TOOL_PREFIX}strip" --strip-all -o "$stage/bin/$NAME" "$binary"
  (cd "$DIST_DIR" &&
    "${TOOL_PREFIX}objcopy" --add-gnu-debuglink="$(basename "$debug_file")" "$stage/bin/$NAME")

  # Every library the dynamic loader resolves for the binary, saved under the name the
  # binary (or a library) asks for, plus the loader itself. `ld.so --list` is what ldd
  # runs, without ldd's shell wrapper.
  while read -r soname arrow path rest; do
    if [ "$arrow" = "=>" ]; then
      [ -f "$path" ] || die "library $soname not found (ld.so says: $path)"
      cp -L "$path" "$stage/lib/$soname"
    elif [ "$(basename "$soname")" = "$LOADER" ]; then
      cp -L "$soname" "$stage/lib/$LOADER"
    fi
  done < <(list_libraries "$binary")
  [ -f "$stage/lib/$LOADER" ] || die "the dynamic loader $LOADER was not among the binary's libraries"
  [ -f "$stage/lib/libc.so.6" ] || die "libc.so.6 was not among the binary's libraries"

  # The entry point. Running the bundled loader explicitly (rather than the binary
  # with its built-in /lib interpreter) is what keeps the host's glibc out:
  #   --library-path  the bundled libraries, for the binary and everything they load
  #   --inhibit-cache never consult the host's /etc/ld.so.cache, so no library of the
  #                   host's (built for another glibc) can slip into the process
  # The paths come from the script's own location: Lambda runs /var/task/bootstrap,
  # and the same zip works unpacked anywhere else (the tests, a chroot).
  # SSL_CERT_FILE: Debian's OpenSSL looks for Debian's CA file, which Amazon Linux does
  # not have (its bundle is /etc/pki/tls/certs/ca-bundle.crt), so the script names the
  # system's bundle for the binary's TLS (docs/deployment.md, "TLS trust").
  # SSC_LOADER_RUNNER: empty on Lambda; the tests set it to qemu-aarch64 to run the arm64
  # package on an x86_64 machine without binfmt_misc.
  cat >"$stage/bootstrap" <<SCRIPT
#!/bin/sh
# Lambda custom runtime entry point of $NAME for $arch (made by scripts/package.sh).
# Runs the binary on the glibc bundled in lib/, not the host's (see docs/deployment.md).
case \$0 in */*) here=\${0%/*} ;; *) here=. ;; esac
if [ -z "\${SSL_CERT_FILE:-}" ]; then
  for bundle in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
    if [ -f "\$bundle" ]; then SSL_CERT_FILE=\$bundle; export SSL_CERT_FILE; break; fi
  done
fi
exec \${SSC_LOADER_RUNNER:-} "\$here/lib/$LOADER" --inhibit-cache --library-path "\$here/lib" \\
  "\$here/bin/$NAME" "\$@"
SCRIPT
  chmod 0755 "$stage/bootstrap" "$stage/bin/$NAME"
  chmod 0644 "$stage"/lib/*.so* && chmod 0755 "$stage/lib/$LOADER"

  # Checks before zipping: every library resolves inside lib/ (with the host's cache and
  # directories shadowed, as on Lambda), and the packaged program starts.
  missing=$("${RUN_TARGET[@]}" "$stage/lib/$LOADER" --inhibit-cache --library-path "$stage/lib" \
    --list "$stage/bin/$NAME" | awk -v lib="$stage/lib/" '$2 == "=>" && index($3, lib) != 1 { print }')
  [ -z "$missing" ] || die "libraries resolved outside the package:"$'\n'"$missing"
  version=$(env -i SSC_LOADER_RUNNER="${RUN_TARGET[*]}" "$stage/bootstrap" --version) ||
    die "the packaged bootstrap does not start"

  # A reproducible zip: fixed order, one fixed timestamp, no extra attributes, so the
  # same files give the same bytes (and Lambda's code hash changes only with them).
  find "$stage" -exec env TZ=UTC touch -h -t 200001010000.00 {} +
  rm -f "$zip"
  (cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -q -X -9 "$zip" -@)
  zip -sf "$zip" | grep -qx '  bootstrap' || die "bootstrap is not at the root of $zip"

  unpacked=$(du -sb "$stage" | cut -f1)
  say "$arch: $version"
  say "$arch: binary    $(mib "$(size "$binary")") built, $(mib "$(size "$stage/bin/$NAME")") stripped"
  say "$arch: libraries $(ls "$stage/lib" | wc -l) files, $(mib "$(du -sb "$stage/lib" | cut -f1)")"
  say "$arch: debug     $debug_file ($(mib "$(size "$debug_file")"))"
  say "$arch: zip       $zip: $(size "$zip") bytes ($(mib "$(size "$zip")")), $(mib "$unpacked") unpacked" \
    "(Lambda limits: 50 MiB zipped, 250 MiB unpacked)"
}

for arch in $ARCHES; do package_arch "$arch"; done
say "done in $((SECONDS - started)) s"
