#!/usr/bin/env bash
# Builds the JVM binding's native library for the jar (Maven runs this in generate-sources):
# release, linked against glibc 2.17 (manylinux2014's floor) with cargo-zigbuild so that the
# jar loads on any supported Linux. The library as built goes to $3 (uniffi-bindgen reads its
# UniFFI metadata, which are symbols); a stripped copy goes to $2/linux-x86-64/, where JNA
# looks inside a jar. Without cargo-zigbuild (pip install ziglang cargo-zigbuild) it builds
# with the system toolchain, which ties the library to this machine's glibc, and says so.
set -euo pipefail
workspace=$1 out=$2 unstripped=$3
cd "$workspace"
if command -v cargo-zigbuild >/dev/null 2>&1; then
  cargo zigbuild --quiet --release -p commshub-ota-kotlin --target x86_64-unknown-linux-gnu.2.17
  lib=target/x86_64-unknown-linux-gnu/release/libcommshub_ota_kotlin.so
else
  echo "build-native: cargo-zigbuild not found; the library needs this machine's glibc" >&2
  cargo build --quiet --release -p commshub-ota-kotlin
  lib=target/release/libcommshub_ota_kotlin.so
fi
mkdir -p "$out/linux-x86-64" "$unstripped"
cp "$lib" "$unstripped/libcommshub_ota_kotlin.so"
strip --strip-unneeded -o "$out/linux-x86-64/libcommshub_ota_kotlin.so" "$lib"
