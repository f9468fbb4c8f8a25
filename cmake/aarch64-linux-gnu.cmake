# Cross-compiles for arm64 (Lambda's Graviton) with Debian's cross toolchain
# (crossbuild-essential-arm64) against arm64 libraries installed through multiarch
# (dpkg --add-architecture arm64): scripts/setup.sh --arm64 installs both.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Multiarch keeps arm64 libraries in /usr/lib/aarch64-linux-gnu of the host's own root, so the
# root is the sysroot; the architecture name makes find_library and find_package look there.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
# The host's pkg-config must describe arm64 libraries, not its own.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
