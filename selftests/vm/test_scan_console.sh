#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of scan-console.sh: each kind of kernel report in sample console
# text is detected; clean text, and text where only a test says WARNING,
# pass.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

boot='[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)
[    0.412345] Run /init as init process
SDRP-VM-FIRST-TEST uptime=1.02s kernel=6.1.0-56-cloud-amd64
ok 1 - module loads'

# expect_report NAME TEXT: the scanner must reject TEXT and name the line
expect_report()
{
	printf '%s\n%s\n' "$boot" "$2" >"$tmp/log"
	out=$("$here/scan-console.sh" "$tmp/log")
	rc=$?
	if [ "$rc" -eq 1 ] && echo "$out" | grep -q '^kernel report: '; then
		tap_ok "detects $1"
	else
		tap_fail "detects $1" "exit $rc, output: $out"
	fi
}

# expect_clean NAME TEXT: the scanner must accept TEXT
expect_clean()
{
	printf '%s\n%s\n' "$boot" "$2" >"$tmp/log"
	if out=$("$here/scan-console.sh" "$tmp/log"); then
		tap_ok "passes $1"
	else
		tap_fail "passes $1" "output: $out"
	fi
}

expect_report "an oops" '[   12.100001] BUG: kernel NULL pointer dereference, address: 0000000000000008
[   12.100020] #PF: supervisor read access in kernel mode
[   12.100050] Oops: 0000 [#1] PREEMPT SMP NOPTI
[   12.100100] CPU: 1 PID: 211 Comm: ulp_attach Tainted: G           OE      6.1.0-56-cloud-amd64 #1
[   12.100200] RIP: 0010:sdrp_close+0x1a/0x60 [sdrp]
[   12.100300] Call Trace:
[   12.100310]  <TASK>
[   12.100320]  inet_release+0x3f/0x80'

expect_report "a WARNING" '[    7.654321] ------------[ cut here ]------------
[    7.654400] WARNING: CPU: 0 PID: 87 at net/ipv4/tcp_ulp.c:96 tcp_get_available_ulp+0x91/0xa0
[    7.654500] Modules linked in: sdrp(OE) tls veth
[    7.654600] ---[ end trace 0000000000000000 ]---'

expect_report "a KASAN report" '[   30.000001] ==================================================================
[   30.000002] BUG: KASAN: slab-use-after-free in sdrp_ulp_release+0x2c/0x50 [sdrp]
[   30.000003] Read of size 8 at addr ffff888003c1e018 by task ulp_attach/230'

expect_report "a UBSAN report" '[    9.100000] UBSAN: shift-out-of-bounds in kernel/sdrp/rx.c:120:9'

expect_report "a hung task" '[  140.000000] INFO: task ulp_attach:231 blocked for more than 20 seconds.
[  140.000100]       Tainted: G           OE      6.12.95+deb12-cloud-amd64 #1'

expect_report "a report interleaved into a test line" \
	'ok 3 - attach[   44.000001] WARNING: CPU: 1 PID: 9 at kernel/sdrp/ulp.c:10 x+0x1/0x2'

expect_report "CRLF line ends" "$(printf '[    5.000000] Oops: general protection fault\r')"

expect_clean "clean boot and test output" '[    1.500000] sdrp: loading out-of-tree module taints kernel.
ok 2 - attach on an established socket
ok 3 - rmmod refused while attached # SKIP not today'

expect_clean "WARNING printed by a test, not the kernel" \
	'# WARNING: this test prints the word WARNING: and BUG: on purpose'

tap_done
