#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build sdrp.ko against one kernel's headers in build/kmod/<release>/.
# Kbuild writes objects next to the sources, so each kernel gets its own
# copy of the sources (rsync keeps unchanged files' times: rebuilds stay
# incremental); two kernels never share an object.
#
# usage: build-kmod.sh KDIR [kbuild arguments, e.g. C=2 CHECK=sparse]
# prints nothing but Kbuild's output; the module is
# build/kmod/<release>/sdrp.ko, <release> being the headers' UTS_RELEASE
# (= uname -r of that kernel; Debian's include/config/kernel.release
# holds the upstream version instead)
set -eu

kdir=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)

release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h" 2>/dev/null)
[ -n "$release" ] || {
	echo "build-kmod: $kdir is not a kernel build directory (make deps?)" >&2
	exit 1
}
out=$top/build/kmod/$release
mkdir -p "$out"

# Several engineers' builds may share this tree: one build per kernel at
# a time (Kbuild would truncate files another build is reading).
exec 9>"$out.lock"
flock 9

# Sources only; --delete drops sources removed from the tree but keeps the
# (excluded) objects.
rsync -a --delete --include='*/' --include='*.[ch]' --include=Kbuild \
	--exclude='*' "$top/Kbuild" "$top/kernel" "$top/include" "$out/"

make -C "$kdir" M="$out" -j"${JOBS:-2}" "$@" modules
