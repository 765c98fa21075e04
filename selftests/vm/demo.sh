#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, inside the VM: load sdrp and show where it is registered.
# (It grows with the project: handshake and data exchange come next.)
set -e

step() { printf '\n=== %s\n' "$*"; }

step "kernel $(uname -r)"
step "modprobe sdrp"
modprobe sdrp
lsmod | grep -E '^(Module|sdrp)'
step "/proc/sys/net/ipv4/tcp_available_ulp (the TCP ULPs setsockopt(TCP_ULP) can attach)"
cat /proc/sys/net/ipv4/tcp_available_ulp
step "/proc/net/sdrp_stat (per network namespace)"
cat /proc/net/sdrp_stat
step "modinfo sdrp"
modinfo sdrp | grep -E '^(filename|description|license|alias|depends|vermagic)'
echo
