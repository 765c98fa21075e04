#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs (cpio newc, gzip) for one kernel release.
#
# usage: mkinitramfs.sh -k KVER -m sdrp.ko -o OUT.cpio.gz -w WORKDIR
#                       [-t TEST]... [-b PROGRAM]... [-M MODULE]...
#
#   -t  a test: a path to an executable, installed as /tests/<basename>
#       (shell tests keep their .sh; selftests/lib/ is installed next to
#       them as /tests/lib/ so `. "$(dirname "$0")/lib/tap.sh"` works)
#   -b  a host program, installed under the same path in the guest
#       (/usr/bin/<basename> for a relative path)
#   -M  a kernel module name or alias for modprobe (dependencies follow)
#
# Contents: busybox-static with every applet linked, dash as /bin/sh; the programs and the
# shared libraries that ldd lists for them (the dynamic loader at its own
# path); sdrp.ko as extra/sdrp.ko plus the requested modules and everything
# `modinfo -F depends` and `modprobe --show-depends` pull in, decompressed
# (6.12 ships .ko.xz); depmod's indexes, so the guest's kmod modprobe and
# the kernel's module autoloading (TCP ULP, crypto templates) work.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kver='' ko='' out='' work=''
# a kernel that is not installed (make check-debug's) keeps its modules in
# $SDRP_VM_MODROOT/lib/modules/KVER
modroot=${SDRP_VM_MODROOT:-}
modprobe_root=()
[ -z "$modroot" ] || modprobe_root=(-d "$modroot")
tests=() progs=() mods=()

while getopts k:m:o:w:t:b:M: opt; do
	case $opt in
	k) kver=$OPTARG ;;
	m) ko=$OPTARG ;;
	o) out=$OPTARG ;;
	w) work=$OPTARG ;;
	t) tests+=("$OPTARG") ;;
	b) progs+=("$OPTARG") ;;
	M) mods+=("$OPTARG") ;;
	*) exit 2 ;;
	esac
done
[ -n "$kver" ] && [ -n "$ko" ] && [ -n "$out" ] && [ -n "$work" ] || {
	echo "usage: $0 -k KVER -m sdrp.ko -o OUT -w WORKDIR [-t TEST]... [-b PROG]... [-M MOD]..." >&2
	exit 2
}

root=$work/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var,etc,root,tests}
ln -s /run "$root/var/run"

# copy_file SRC DST: resolve symlinks, keep mode
copy_file()
{
	mkdir -p "$(dirname "$2")"
	cp -L --preserve=mode "$1" "$2"
}

# copy_libs PROGRAM: the loader and every library ldd resolves for it
copy_libs()
{
	local lib
	# "not a dynamic executable" (static or a script) has nothing to copy
	{ ldd "$1" 2>/dev/null || true; } | awk '
		$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$root$lib" ] || copy_file "$lib" "$root$lib"
	done
}

# busybox: one binary, every applet a symlink at the path busybox expects
copy_file /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$root/$applet"
done

# /bin/sh is dash, as on Debian: Debian's busybox-static runs its own
# applets in preference to PATH, so under its ash `ip` would never be
# iproute2's.
copy_file /bin/dash "$root/bin/dash"
copy_libs /bin/dash
ln -sf dash "$root/bin/sh"

# kmod replaces busybox's module tools: it reads depmod's binary indexes.
# Its modprobe is not at the kernel's default /sbin/modprobe: while the
# kernel boots, built-in code asks for modules (crypto-cbc(aes), ...) and
# each exec of modprobe costs ~0.3 s under TCG; init points the kernel at
# /usr/sbin/modprobe once it runs, so autoloading works for the tests.
copy_file /usr/bin/kmod "$root/usr/bin/kmod"
copy_libs /usr/bin/kmod
rm -f "$root/sbin/modprobe"
ln -sf /usr/bin/kmod "$root/usr/sbin/modprobe"
for tool in insmod rmmod lsmod modinfo depmod; do
	ln -sf /usr/bin/kmod "$root/sbin/$tool"
done

for prog in "${progs[@]}"; do
	# same path as on the host (a relative one, e.g. a build output, goes to
	# /usr/bin/); it replaces a busybox applet of that name
	case $prog in
	/*) dst=$root$prog ;;
	*) dst=$root/usr/bin/$(basename "$prog") ;;
	esac
	rm -f "$dst"
	copy_file "$prog" "$dst"
	copy_libs "$prog"
done

for t in "${tests[@]}"; do
	# a test that failed to build still gets its "not ok" from the guest
	if [ ! -e "$t" ]; then
		echo "mkinitramfs: test $t does not exist" >&2
		continue
	fi
	copy_file "$t" "$root/tests/$(basename "$t")"
	copy_libs "$t"
done
cp -r "$here/../lib" "$root/tests/lib"
for t in "${tests[@]}"; do
	basename "$t" .sh
done >"$root/tests/tests.list"

# Kernel modules: sdrp's own dependencies first, then the requested ones.
moddir=$root/lib/modules/$kver
mkdir -p "$moddir/extra"
# sdrp.ko's debug info is not needed in the guest and is most of its size
strip --strip-debug -o "$moddir/extra/sdrp.ko" "$ko"

IFS=, read -r -a deps <<<"$(modinfo -F depends "$ko")"
for name in "${deps[@]}" "${mods[@]}"; do
	[ -n "$name" ] || continue
	if ! lines=$(modprobe "${modprobe_root[@]}" -S "$kver" --show-depends "$name" 2>&1); then
		echo "mkinitramfs: no module '$name' for $kver: $lines" >&2
		exit 1
	fi
	awk '$1 == "insmod" { print $2 }' <<<"$lines" | while read -r path; do
		rel=${path#"$modroot"/lib/modules/"$kver"/}
		dst=$moddir/${rel%.xz}
		dst=${dst%.zst}
		[ -e "$dst" ] && continue
		mkdir -p "$(dirname "$dst")"
		case $path in
		*.xz) xz -dc "$path" >"$dst" ;;
		*.zst) zstd -qdc "$path" >"$dst" ;;
		*) cp "$path" "$dst" ;;
		esac
	done
done
for f in modules.builtin modules.builtin.modinfo modules.builtin.alias.bin modules.order; do
	[ -e "$modroot/lib/modules/$kver/$f" ] && cp "$modroot/lib/modules/$kver/$f" "$moddir/"
done
depmod -b "$root" "$kver"

cp "$here/init" "$root/init"
chmod 755 "$root/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
# mounted by init with one `mount -a`, in this order
cat >"$root/etc/fstab" <<'FSTAB'
proc		/proc			proc		defaults	0 0
sysfs		/sys			sysfs		defaults	0 0
devtmpfs	/dev			devtmpfs	defaults	0 0
tmpfs		/tmp			tmpfs		defaults	0 0
tmpfs		/run			tmpfs		defaults	0 0
debugfs		/sys/kernel/debug	debugfs		defaults	0 0
FSTAB

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip >"$out.tmp"
mv "$out.tmp" "$out"
