#!/usr/bin/env bash
# Builds the deployable Lambda package in one command:
#   dist/snapshot-sender-status-checker-x86_64.zip    for the provided.al2023 runtime
#   dist/snapshot-sender-status-checker-x86_64.debug  debug symbols, kept out of the zip
#
# The zip holds
#   bootstrap                               the entry point Lambda runs (a small sh script)
#   bin/snapshot-sender-status-checker      the stripped binary
#   lib/                                    every shared library it loads, glibc and its
#                                           dynamic loader included
# because Lambda's OS has an older glibc (2.34) than the machines that build it (2.36):
# the bundled loader runs the binary on the bundled C library, whatever the host has.
# docs/deployment.md says why this and not static linking.
#
#   BUILD_DIR   the Release build directory (default ./build/package, apart from the
#               developers' ./build)
#   DIST_DIR    where the zip goes (default ./dist)
#   JOBS        parallel build jobs (default 2)
#   BINARY      package this already built binary instead of building one (the tests
#               use it with the test build, which has the same -O2 -g flags)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build/package}
DIST_DIR=${DIST_DIR:-$ROOT/dist}
JOBS=${JOBS:-2}
NAME=snapshot-sender-status-checker
ARCH=$(uname -m)
ZIP=$DIST_DIR/$NAME-$ARCH.zip
DEBUG_FILE=$DIST_DIR/$NAME-$ARCH.debug
STAGE=$BUILD_DIR/lambda-package
LOADER=ld-linux-x86-64.so.2

say() { printf 'package: %s\n' "$*"; }
die() { printf 'package: ERROR: %s\n' "$*" >&2; exit 1; }

# Lambda offers x86_64 and arm64; this script packages what it builds on, and only
# x86_64 is set up (docs/deployment.md, "arm64").
[ "$ARCH" = x86_64 ] || die "only x86_64 is packaged (this machine is $ARCH)"
for tool in cmake ninja objcopy strip readelf zip; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup.sh"
done

started=$SECONDS

configure() {
  # -O2 rather than CMake's Release default -O3: GCC 12 at -O3 reports a false
  # -Wrestrict inside std::string (GCC bug 105651), and warnings are errors here.
  # -g gives the separate debug file; the zip gets the stripped binary.
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -g -DNDEBUG" \
    -DSSC_BUILD_TESTS=OFF -DSSC_BUILD_BENCH=OFF >/dev/null
}

if [ -n "${BINARY:-}" ]; then
  [ -x "$BINARY" ] || die "BINARY=$BINARY is not an executable"
  say "packaging the given binary $BINARY"
  STAGE=$(mktemp -d "${TMPDIR:-/tmp}/ssc-package.XXXXXX")
  trap 'rm -rf "$STAGE"' EXIT
else
  say "building $NAME (Release) in $BUILD_DIR"
  configure
  cmake --build "$BUILD_DIR" -j "$JOBS" --target "$NAME"
  BINARY=$BUILD_DIR/$NAME
fi

rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/lib" "$DIST_DIR"

# Debug symbols go to a file of their own, linked from the stripped binary by name
# and build id, so a core or a stack trace from Lambda can still be read.
objcopy --only-keep-debug "$BINARY" "$DEBUG_FILE"
strip --strip-all -o "$STAGE/bin/$NAME" "$BINARY"
(cd "$DIST_DIR" && objcopy --add-gnu-debuglink="$(basename "$DEBUG_FILE")" "$STAGE/bin/$NAME")

# Every library the dynamic loader resolves for the binary, saved under the name the
# binary (or a library) asks for, plus the loader itself. `ld.so --list` is what ldd
# runs, without ldd's shell wrapper.
HOST_LOADER=$(readelf -l "$BINARY" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -x "$HOST_LOADER" ] || die "no dynamic loader found for $BINARY"
while read -r soname arrow path _; do
  if [ "$arrow" = "=>" ]; then
    [ -f "$path" ] || die "library $soname not found (ld.so says: $path)"
    cp -L "$path" "$STAGE/lib/$soname"
  elif [ "$(basename "$soname")" = "$LOADER" ]; then
    cp -L "$soname" "$STAGE/lib/$LOADER"
  fi
done < <("$HOST_LOADER" --list "$BINARY")
[ -f "$STAGE/lib/$LOADER" ] || die "the dynamic loader $LOADER was not among the binary's libraries"
[ -f "$STAGE/lib/libc.so.6" ] || die "libc.so.6 was not among the binary's libraries"
chmod 0755 "$STAGE/lib/$LOADER"

# The entry point. Running the bundled loader explicitly (rather than the binary
# with its built-in /lib64 interpreter) is what keeps the host's glibc out:
#   --library-path  the bundled libraries, for the binary and everything they load
#   --inhibit-cache never consult the host's /etc/ld.so.cache, so no library of the
#                   host's (built for another glibc) can slip into the process
# The paths come from the script's own location: Lambda runs /var/task/bootstrap,
# and the same zip works unpacked anywhere else (the tests, a chroot).
# SSL_CERT_FILE: Debian's libcurl looks for Debian's CA file, which Amazon Linux does
# not have (its bundle is /etc/pki/tls/certs/ca-bundle.crt), so the script names the
# system's bundle for the binary to hand to libcurl (docs/deployment.md, "TLS trust").
cat >"$STAGE/bootstrap" <<EOF
#!/bin/sh
# Lambda custom runtime entry point of $NAME (made by scripts/package.sh).
# Runs the binary on the glibc bundled in lib/, not the host's (see docs/deployment.md).
case \$0 in */*) here=\${0%/*} ;; *) here=. ;; esac
if [ -z "\${SSL_CERT_FILE:-}" ]; then
  for bundle in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
    if [ -f "\$bundle" ]; then SSL_CERT_FILE=\$bundle; export SSL_CERT_FILE; break; fi
  done
fi
exec "\$here/lib/$LOADER" --inhibit-cache --library-path "\$here/lib" "\$here/bin/$NAME" "\$@"
EOF
chmod 0755 "$STAGE/bootstrap" "$STAGE/bin/$NAME"
chmod 0644 "$STAGE"/lib/*.so* && chmod 0755 "$STAGE/lib/$LOADER"

# Checks before zipping: every library resolves inside lib/ (with the host's cache and
# directories shadowed, as on Lambda), and the packaged program starts.
missing=$("$STAGE/lib/$LOADER" --inhibit-cache --library-path "$STAGE/lib" --list "$STAGE/bin/$NAME" |
  awk -v lib="$STAGE/lib/" '$2 == "=>" && index($3, lib) != 1 { print }')
[ -z "$missing" ] || die "libraries resolved outside the package:"$'\n'"$missing"
version=$(env -i "$STAGE/bootstrap" --version) || die "the packaged bootstrap does not start"

# A reproducible zip: fixed order, one fixed timestamp, no extra attributes, so the
# same files give the same bytes (and Lambda's code hash changes only with them).
find "$STAGE" -exec env TZ=UTC touch -h -t 200001010000.00 {} +
rm -f "$ZIP"
(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -q -X -9 "$ZIP" -@)
zip -sf "$ZIP" | grep -qx '  bootstrap' || die "bootstrap is not at the root of $ZIP"

size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
unpacked=$(du -sb "$STAGE" | cut -f1)
say "$version"
say "binary    $(mib "$(size "$BINARY")") built, $(mib "$(size "$STAGE/bin/$NAME")") stripped"
say "libraries $(ls "$STAGE/lib" | wc -l) files, $(mib "$(du -sb "$STAGE/lib" | cut -f1)")"
say "debug     $DEBUG_FILE ($(mib "$(size "$DEBUG_FILE")"))"
say "zip       $ZIP: $(size "$ZIP") bytes ($(mib "$(size "$ZIP")")), $(mib "$unpacked") unpacked" \
  "(Lambda limits: 50 MiB zipped, 250 MiB unpacked)"
say "done in $((SECONDS - started)) s"
