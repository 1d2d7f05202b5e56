#!/usr/bin/env bash
# Release artifacts built on this Linux machine, in dist's layout and names, into target/distrib/:
#
#   kiro-poll-x86_64-unknown-linux-musl.tar.xz   static, zig's musl   + .sha256
#   kiro-poll-aarch64-unknown-linux-musl.tar.xz  static, zig's musl   + .sha256
#   kiro-poll-x86_64-pc-windows-gnu.zip          mingw-w64 (MSVC on the GitHub runners) + .sha256
#   kiro-poll-installer.sh, kiro-poll-installer.ps1, kiro-poll.rb, sha256.sum   (dist itself)
#   kiro-poll_VERSION-1_amd64.deb, kiro-poll_VERSION-1_arm64.deb                (cargo-deb)
#
#   ci/release.sh          build all of the above (tools are installed on first use)
#   ci/release.sh tools    only install the tools
#
# The binaries: the image's nightly builds std from source (-Zbuild-std, the std sources of
# ../shared/cross as ci/cross.sh uses them) and `cargo zigbuild` links against zig's musl
# (ziglang and cargo-zigbuild from PyPI), for both Linux targets; the Windows binary is
# ci/cross.sh's. Each archive is laid out as dist lays it out (a .tar.xz holds one directory
# named after it, a .zip is flat; `HASH *NAME` in the .sha256), and each target gets a
# TARGET-dist-manifest.json written by `dist manifest` with the archive's checksum added, which
# is how dist's own build jobs hand checksums to its global job. `dist build --artifacts=global`
# then writes the installers (with those checksums in them), the Homebrew formula and sha256.sum.
#
# The release workflow (.github/workflows/release.yml, from `dist generate`) builds the six
# targets of dist-workspace.toml on GitHub's runners; nothing of that is run here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${KIRO_CROSS_CACHE:-$HOME/.cache/kiro-poll-cross}
# Not ci/cross.sh's target directory, so that its Windows build can run at the same time.
TARGET_DIR=${KIRO_RELEASE_TARGET_DIR:-$CACHE/release-target}
DIST=$ROOT/target/distrib
LINUX_TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
WIN=x86_64-pc-windows-gnu
# Pinned, so that a release made here is made the same way next month.
DIST_VERSION=$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' dist-workspace.toml)
CARGO_DEB_VERSION=3.8.0
ZIG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1
EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

log() { echo "== release: $*" >&2; }

tools() {
  if ! command -v dist >/dev/null || [ "$(dist --version)" != "cargo-dist $DIST_VERSION" ]; then
    # Built without optimisation: dist only fills in templates and packs files, and an
    # unoptimised build takes a third of the time on two cores.
    log "cargo install cargo-dist $DIST_VERSION"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=0 \
      cargo install --quiet --locked "cargo-dist@$DIST_VERSION"
  fi
  if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
    log "cargo install cargo-deb $CARGO_DEB_VERSION"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_DEBUG=0 \
      cargo install --quiet --locked "cargo-deb@$CARGO_DEB_VERSION"
  fi
  if ! command -v cargo-zigbuild >/dev/null || ! python3 -m ziglang version >/dev/null 2>&1; then
    log "pip install ziglang==$ZIG_VERSION cargo-zigbuild==$ZIGBUILD_VERSION"
    python3 -m pip install --quiet --root-user-action=ignore \
      "ziglang==$ZIG_VERSION" "cargo-zigbuild==$ZIGBUILD_VERSION"
  fi
  ci/cross.sh setup
}

# build_linux: both static binaries, into $TARGET_DIR/TARGET/dist/kiro-poll, in one cargo run
# (build scripts and proc macros are built once for both, and the two single-threaded LTO
# links run side by side)
build_linux() {
  log "cargo zigbuild --profile dist --target ${LINUX_TARGETS[*]}"
  local targets=()
  for t in "${LINUX_TARGETS[@]}"; do targets+=(--target "$t"); done
  # std is built without its backtrace symbolizer (the features given leave `backtrace` out):
  # the binary is stripped, so a backtrace could name no function anyway, while a panic still
  # says its message and where; 0.2 MiB less.
  # rustc would add the crt objects of a musl sysroot that -Zbuild-std does not have: zig brings
  # its own (and libc, libunwind), so rustc leaves the start files to it. (rustc then notes that
  # the sysroot has no musl directory, which is why: -Alinker-messages.)
  __CARGO_TESTS_ONLY_SRC_ROOT=$CACHE/library RUSTFLAGS="-Dwarnings -Clink-self-contained=no -Alinker-messages" \
    cargo +nightly zigbuild --quiet -Zbuild-std=std,panic_abort -Zbuild-std-features=panic-unwind "${targets[@]}" \
    --profile dist --target-dir "$TARGET_DIR" --locked --bin kiro-poll
}

# stage NAME BINARY: target/distrib/NAME/ with what every archive holds
stage() {
  local name=$1 bin=$2
  rm -rf "${DIST:?}/$name"
  mkdir -p "$DIST/$name"
  cp "$bin" "$DIST/$name/"
  cp CHANGELOG.md LICENSE README.md "$DIST/$name/"
  cp -r completions "$DIST/$name/"
  # Every file dated by the last commit, so the same binary gives the same archive.
  find "$DIST/$name" -exec touch -h -d "@$EPOCH" {} +
}

# checksum FILE: FILE.sha256 in dist's format, and the hash on stdout
checksum() {
  local file=$1 hash
  hash=$(sha256sum -b "$file" | cut -d' ' -f1)
  printf '%s *%s\n' "$hash" "$(basename "$file")" >"$file.sha256"
  echo "$hash"
}

# manifest TARGET ARCHIVE HASH: TARGET-dist-manifest.json, dist's own plan for that target
# with the checksum of the archive built here
manifest() {
  local target=$1 archive=$2 hash=$3
  dist manifest --artifacts=local --target "$target" --output-format=json --no-local-paths \
    2>/dev/null >"$DIST/$target-dist-manifest.json.tmp"
  python3 - "$DIST/$target-dist-manifest.json.tmp" "$archive" "$hash" <<'PY'
import json, sys
path, archive, digest = sys.argv[1:]
m = json.load(open(path))
if archive not in m["artifacts"]:
    sys.exit(f"dist plans no artifact named {archive}: names differ from dist's")
m["artifacts"][archive]["checksums"] = {"sha256": digest}
json.dump(m, open(path, "w"), indent=2)
PY
  mv "$DIST/$target-dist-manifest.json.tmp" "$DIST/$target-dist-manifest.json"
}

tar_xz() {
  local name=$1
  # Owner and order fixed, so the same binary gives the same archive.
  tar -C "$DIST" --sort=name --owner=0 --group=0 --numeric-owner -cJf "$DIST/$name.tar.xz" "$name"
}

zip_flat() {
  local name=$1
  python3 - "$DIST/$name" "$DIST/$name.zip" <<'PY'
import os, sys, zipfile
src, dest = sys.argv[1:]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            full = os.path.join(root, f)
            z.write(full, os.path.relpath(full, src))
PY
}

release() {
  tools
  log "dist generate --check (.github/workflows/release.yml is dist's for dist-workspace.toml)"
  dist generate --check
  rm -rf "$DIST"
  mkdir -p "$DIST"

  # The Windows binary (ci/cross.sh's, in its own target directory) builds meanwhile: on two
  # cores, three fat-LTO builds one after the other leave a core idle through each link.
  log "the Windows binary (ci/cross.sh build-windows), beside the Linux builds"
  ci/cross.sh build-windows >"$DIST.exe" 2>"$DIST.windows.log" &
  local windows=$!
  build_linux
  if ! wait "$windows"; then
    cat "$DIST.windows.log" >&2
    exit 1
  fi
  for target in "${LINUX_TARGETS[@]}"; do
    local bin=$TARGET_DIR/$target/dist/kiro-poll name=kiro-poll-$target
    stage "$name" "$bin"
    tar_xz "$name"
    manifest "$target" "$name.tar.xz" "$(checksum "$DIST/$name.tar.xz")"
  done

  local exe name=kiro-poll-$WIN
  exe=$(cat "$DIST.exe")
  rm -f "$DIST.exe" "$DIST.windows.log"
  stage "$name" "$exe"
  zip_flat "$name"
  # Not one of dist's targets (its release builds MSVC), so no manifest: it is in sha256.sum
  # below, not in the installers.
  checksum "$DIST/$name.zip" >/dev/null

  log "dist build --artifacts=global (installers, Homebrew formula, sha256.sum)"
  # Written beside, not into, target/distrib: dist reads every *dist-manifest.json there.
  dist build --artifacts=global --output-format=json >"$DIST.global.json"
  mv "$DIST.global.json" "$DIST/global-dist-manifest.json"
  cat "$DIST/kiro-poll-$WIN.zip.sha256" >>"$DIST/sha256.sum"
  sed -i '/^$/d' "$DIST/sha256.sum"

  for target in "${LINUX_TARGETS[@]}"; do
    log "cargo deb --target $target"
    local deb
    deb=$(CARGO_TARGET_DIR=$TARGET_DIR cargo deb --quiet --no-build --no-strip \
      --target "$target" --profile dist --output "$DIST/")
    checksum "$deb" >/dev/null
    cat "$deb.sha256" >>"$DIST/sha256.sum"
  done

  for target in "${LINUX_TARGETS[@]}"; do
    rm -rf "${DIST:?}/kiro-poll-$target"
  done
  rm -rf "${DIST:?}/kiro-poll-$WIN"
  log "done: $DIST"
  (cd "$DIST" && ls -l --time-style=+ | sed 1d | awk '{printf "  %10d  %s\n", $5, $NF}') >&2
}

case "${1:-}" in
  "") release ;;
  tools) tools ;;
  *)
    echo "usage: ci/release.sh [tools]" >&2
    exit 2
    ;;
esac
