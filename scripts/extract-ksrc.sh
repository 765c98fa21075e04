#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few kernel-tree files the build borrows from a Debian
# linux-source tarball, in one decompression pass (xz over the whole
# tarball takes ~30 s, so the Makefile calls this once behind a stamp):
#   <out>/ksft/        kselftest_harness.h, kselftest.h   (C selftests)
#   <out>/checkpatch/  checkpatch.pl and its data files    (make style)
#
# usage: extract-ksrc.sh <linux-source-X.tar.xz> <out-dir>
set -eu

tarball=$1
out=$2

[ -r "$tarball" ] || { echo "extract-ksrc: cannot read $tarball" >&2; exit 1; }

top=$(basename "$tarball" .tar.xz)
tmp=$(mktemp -d "$out/.ksrc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

harness="tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h"
checkpatch="scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch"

members=
for f in $harness $checkpatch; do
	members="$members $top/$f"
done

# shellcheck disable=SC2086 # word splitting of the member list is wanted
tar -xJf "$tarball" -C "$tmp" $members

rm -rf "$out/ksft" "$out/checkpatch"
mkdir -p "$out/ksft" "$out/checkpatch"
for f in $harness; do
	cp "$tmp/$top/$f" "$out/ksft/"
done
for f in $checkpatch; do
	cp "$tmp/$top/$f" "$out/checkpatch/"
done
chmod +x "$out/checkpatch/checkpatch.pl"
