#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Extract the uncompressed ELF vmlinux from a bzImage, for qemu to boot it
# directly through its PVH entry point: no firmware real-mode setup and no
# in-guest decompression, which under TCG saves seconds of every boot.
#
# usage: extract-vmlinux.sh BZIMAGE OUT
# Exit status 1 (and no OUT) when no payload decompresses to an ELF with a
# PVH note: the caller then boots the bzImage.
set -u

in=$1
out=$2
tmp=$out.tmp

is_pvh_elf()
{
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ] &&
		readelf -n "$1" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'
}

# try MAGIC DECOMPRESSOR...: every offset where MAGIC occurs in the bzImage
try()
{
	magic=$1
	shift
	for off in $(LC_ALL=C grep -abo "$(printf "$magic")" "$in" | cut -d: -f1); do
		tail -c +"$((off + 1))" "$in" | "$@" >"$tmp" 2>/dev/null
		if is_pvh_elf "$tmp"; then
			mv "$tmp" "$out"
			exit 0
		fi
	done
}

# Debian: 6.1 is LZ4 (legacy frame), 6.12 zstd; gzip and xz for others.
try '\050\265\057\375' zstd -dcq
try '\002\041\114\030' lz4 -dcq
try '\037\213\010' gzip -dc
try '\375\067\172\130\132\000' xz -dcq
rm -f "$tmp"
exit 1
