#!/usr/bin/env bash
# Cross builds of kiro-poll on this Linux machine: a Windows binary (x86_64-pc-windows-gnu,
# linked by mingw-w64, run under Wine) and `cargo check` for macOS (aarch64-apple-darwin) and
# Windows on Arm (aarch64-pc-windows-msvc), the release targets that are not built here.
#
#   ci/cross.sh setup          install mingw-w64, Wine and clang (Debian's packages), unpack
#                              the std sources, make the Wine prefix (all cached)
#   ci/cross.sh check          cargo check --all-targets for Windows (x86_64 GNU) and macOS
#                              (aarch64); cargo check for Windows on Arm (aarch64 MSVC)
#   ci/cross.sh build-windows  kiro-poll.exe (profile `cross`); prints its path
#   ci/cross.sh wine ARGS...   run a Windows program under Wine (exit codes pass through)
#
# The toolchain: the machine's nightly, which has no targets but this one, builds std from
# source (-Zbuild-std) out of Rust's library/ tree. That tree is Debian sid's rust-src
# package, 1.97.1: it was made by
#     apt-get download rust-src   (a private sources list for sid, signed-by the Debian archive
#                                  keyring, private Dir::State::Lists and Dir::Cache)
#     dpkg -x rust-src_*.deb root && tar -C root/usr/src/rustc-1.97.1 -cJf ... library
# and is kept as ../shared/cross/rust-library-1.97.1.tar.xz, because sid moves on and a newer
# rust-src may not build with this nightly. Nothing from sid is installed into the system.
#
# Cache: $KIRO_CROSS_CACHE (default ~/.cache/kiro-poll-cross) holds the std sources, the Wine
# prefix, the stand-in DLL and the cross builds (target/), so a second run rebuilds little.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${KIRO_CROSS_CACHE:-$HOME/.cache/kiro-poll-cross}
LIBRARY_TAR=${KIRO_RUST_LIBRARY_TAR:-$ROOT/../shared/cross/rust-library-1.97.1.tar.xz}
TARGET_DIR=${KIRO_CROSS_TARGET_DIR:-$CACHE/target}
WIN=x86_64-pc-windows-gnu
MAC=aarch64-apple-darwin
WIN_ARM=aarch64-pc-windows-msvc
export WINEPREFIX=$CACHE/wine
export WINEDEBUG=-all
WINE=/usr/lib/wine/wine64

log() { echo "== cross: $*" >&2; }

setup() {
  mkdir -p "$CACHE"
  local need=()
  command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
  [ -x "$WINE" ] || need+=(wine64)
  command -v clang >/dev/null || need+=(clang)
  command -v llvm-lib >/dev/null || need+=(llvm)
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install -y ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  if [ ! -f "$CACHE/library/Cargo.lock" ]; then
    log "std sources from $(basename "$LIBRARY_TAR")"
    rm -rf "$CACHE/library"
    tar -xJf "$LIBRARY_TAR" -C "$CACHE"
  fi
  macos_headers
  msvc_headers
  wine_prefix
}

# Check-only stand-ins for the three macOS SDK headers ring's C code includes; the rest comes
# from clang's own resource directory. Nothing is linked for macOS here.
macos_headers() {
  local d=$CACHE/macos-include
  [ -f "$d/string.h" ] && return
  mkdir -p "$d"
  cat >"$d/TargetConditionals.h" <<'H'
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_SIMULATOR 0
H
  cat >"$d/assert.h" <<'H'
#pragma once
#define assert(e) ((void)0)
H
  cat >"$d/string.h" <<'H'
#pragma once
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
H
}

# The same for Windows on Arm (MSVC): ring's C code there also includes stdlib.h, for the
# _byteswap_* intrinsics that clang provides itself in MSVC mode.
msvc_headers() {
  local d=$CACHE/msvc-include
  [ -f "$d/stdlib.h" ] && return
  mkdir -p "$d"
  cp "$CACHE/macos-include/string.h" "$CACHE/macos-include/assert.h" "$d/"
  printf '#pragma once\n#include <stddef.h>\n' >"$d/stdlib.h"
}

# Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std calls at start: a small DLL
# exporting ProcessPrng on top of RtlGenRandom (SystemFunction036) stands in for it.
wine_prefix() {
  local dll=$CACHE/bcryptprimitives.dll
  if [ ! -f "$dll" ]; then
    log "building the ProcessPrng stand-in"
    cat >"$CACHE/prng.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
C
    x86_64-w64-mingw32-gcc -shared -O2 -o "$dll" "$CACHE/prng.c" -ladvapi32
  fi
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    log "making the Wine prefix"
    "$WINE" wineboot --init >/dev/null 2>&1 || true
    /usr/lib/wine/wineserver -w || true
  fi
  cp "$dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
}

# cross_cargo TARGET SUBCOMMAND [ARGS...]
cross_cargo() {
  local target=$1 sub=$2
  shift 2
  export __CARGO_TESTS_ONLY_SRC_ROOT=$CACHE/library
  export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
  export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
  export CC_aarch64_apple_darwin=clang
  export CC_aarch64_pc_windows_msvc=clang AR_aarch64_pc_windows_msvc=llvm-lib
  export CFLAGS_aarch64_pc_windows_msvc="-ffreestanding -nostdinc -isystem $(clang -print-resource-dir)/include -isystem $CACHE/msvc-include"
  export CFLAGS_aarch64_apple_darwin="-ffreestanding -nostdinc -isystem $(clang -print-resource-dir)/include -isystem $CACHE/macos-include"
  # Warnings are errors for kiro-poll, as clippy -D warnings is on Linux.
  RUSTFLAGS="-Dwarnings" cargo +nightly "$sub" -Zbuild-std=std,panic_abort --target "$target" \
    --target-dir "$TARGET_DIR" --locked "$@"
}

case "${1:-}" in
  setup) setup ;;
  check)
    setup
    log "cargo check --all-targets --target $WIN"
    cross_cargo "$WIN" check --all-targets
    # SQLite (the job store's, compiled in from C) needs a C library's headers this machine
    # lacks for macOS and MSVC: `cargo check` builds no C there, it takes the bindings
    # libsqlite3-sys ships and would link a system SQLite (the release runners compile it in).
    log "cargo check --all-targets --target $MAC"
    LIBSQLITE3_SYS_USE_PKG_CONFIG=1 SQLITE3_LIB_DIR=$CACHE/no-sqlite cross_cargo "$MAC" check --all-targets
    log "cargo check --target $WIN_ARM (the library and binaries; the tests are checked above)"
    LIBSQLITE3_SYS_USE_PKG_CONFIG=1 SQLITE3_LIB_DIR=$CACHE/no-sqlite cross_cargo "$WIN_ARM" check
    ;;
  build-windows)
    setup
    # The `cross` profile (thin LTO, 16 codegen units): this binary is run under Wine and is
    # the stand-in for the MSVC ones that the release runners build with the release profile,
    # so it need not cost a fat-LTO build here.
    log "cargo build --profile cross --target $WIN"
    cross_cargo "$WIN" build --profile cross --bin kiro-poll >&2
    echo "$TARGET_DIR/$WIN/cross/kiro-poll.exe"
    ;;
  wine)
    shift
    exec "$WINE" "$@"
    ;;
  *)
    echo "usage: ci/cross.sh setup|check|build-windows|wine ARGS..." >&2
    exit 2
    ;;
esac
