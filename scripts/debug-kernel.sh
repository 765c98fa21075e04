#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel of `make check-debug`: Debian's
# linux-source tarball, `make tinyconfig` plus scripts/debug-kernel.config
# (KASAN, kmemleak, lockdep, UBSAN, ... and only what the VM tests need).
#
# usage: debug-kernel.sh [-s LINUX_SOURCE_TARBALL] [-c CACHE_ROOT]
#
# The result is cached outside the repository, in
#   CACHE_ROOT/<key>/      key = sha256 of the config fragment, the source
#                          package's version, the base config and the compiler
#     linux/               the build tree: make -C linux M=... builds modules
#                          against it (Module.symvers is there)
#     bzImage              the kernel
#     modroot/lib/modules/<release>/   its modules, with depmod's indexes
#     release              the kernel release (uname -r in the guest)
#     build-seconds        how long the cold build took (wall clock)
# A cache entry is used only once its build has completed (.complete); a
# half-built one is resumed. stdout is the cache directory and nothing else
# (the build's output goes to stderr).
#
# Other engineers share the machine: the build runs under nice -n 19 with
# JOBS (default 2) jobs. CACHE_ROOT defaults to $SDRP_DEBUG_KERNEL_CACHE or
# /var/cache/sdrp/debug-kernel.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug-kernel.config
tarball=/usr/src/linux-source-6.12.tar.xz
cache_root=${SDRP_DEBUG_KERNEL_CACHE:-/var/cache/sdrp/debug-kernel}
base_config=tinyconfig
jobs=${JOBS:-2}

while getopts s:c: opt; do
	case $opt in
	s) tarball=$OPTARG ;;
	c) cache_root=$OPTARG ;;
	*) exit 2 ;;
	esac
done

log() { echo "debug-kernel: $*" >&2; }

[ -r "$tarball" ] || { log "no $tarball (make deps installs linux-source-6.12)"; exit 2; }
[ -r "$fragment" ] || { log "no $fragment"; exit 2; }

# The source package's version: the tarball is named after the package
# (linux-source-6.12.tar.xz from linux-source-6.12), the version is dpkg's.
pkg=$(basename "$tarball" .tar.xz)
pkg_version=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) ||
	pkg_version="unpackaged $(stat -c '%s %Y' "$tarball")"

key=$({
	cat "$fragment"
	echo "source: $pkg $pkg_version"
	echo "base: $base_config, merged by allnoconfig"
	gcc --version | head -n1
} | sha256sum | cut -c1-16)
dir=$cache_root/$key

mkdir -p "$cache_root"
# one build per entry at a time; a second caller waits and reuses it
exec 9>"$dir.lock"
if ! flock -n 9; then
	log "waiting for another build of $dir"
	flock 9
fi

if [ -e "$dir/.complete" ]; then
	log "cached: $dir ($(cat "$dir/release"))"
	echo "$dir"
	exit 0
fi

log "building $dir from $tarball ($pkg $pkg_version), nice -n 19 make -j$jobs"
start=$(date +%s)
mkdir -p "$dir"
tree=$dir/linux
if ! [ -e "$tree/.extracted" ]; then
	rm -rf "$tree" "$dir/extract"
	mkdir -p "$dir/extract"
	nice -n 19 tar -xJf "$tarball" -C "$dir/extract"
	mv "$dir/extract"/* "$tree"
	rmdir "$dir/extract"
	touch "$tree/.extracted"
fi

kmake() { nice -n 19 make -C "$tree" -j"$jobs" "$@" >&2; }

# Configure: tinyconfig, the fragment on top, everything else off
# (merge_config -n: allnoconfig, not the defaults of options tinyconfig
# never saw); then refuse any fragment line that did not survive (a missing
# dependency would otherwise drop a checker without a word).
kmake -s "$base_config"
# (its report of every value the fragment redefines is noise: the check
# below says what matters)
(cd "$tree" && nice -n 19 scripts/kconfig/merge_config.sh -n .config "$fragment") >/dev/null
missing=0
while read -r line; do
	sym=$(grep -oE 'CONFIG_[A-Za-z0-9_]+' <<<"$line")
	if ! grep -qxF -- "$line" "$tree/.config"; then
		got=$(grep -E "^$sym=|^# $sym is not set" "$tree/.config" || echo "$sym undefined")
		log "config: wanted '$line', got '$got'"
		missing=1
	fi
done < <(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$fragment")
[ "$missing" = 0 ] || { log "the fragment does not apply to this source"; exit 1; }

kmake bzImage modules
release=$(make -C "$tree" -s --no-print-directory kernelrelease)
rm -rf "$dir/modroot"
kmake -s INSTALL_MOD_PATH="$dir/modroot" modules_install
# the guest image gets its own depmod; the build and source links point
# into the cache and are of no use there
rm -f "$dir/modroot/lib/modules/$release/build" "$dir/modroot/lib/modules/$release/source"
cp "$tree/arch/x86/boot/bzImage" "$dir/bzImage"
echo "$release" >"$dir/release"
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/.complete"
log "built $release in $(cat "$dir/build-seconds")s: $dir"
echo "$dir"
