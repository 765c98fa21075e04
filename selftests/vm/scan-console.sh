#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Scan a guest console log for kernel reports that fail a run whatever the
# tests said: oops, BUG, WARNING, KASAN/UBSAN/KFENCE, call traces, hung
# tasks, RCU stalls, panics.
#
# usage: scan-console.sh LOG     exit 0: clean; 1: reports found (printed);
#                                2: LOG unreadable
#
# Only kernel log lines count, recognised by their printk timestamp
# ("[   12.345678] ", the VM boots with printk.time=1): a test that prints
# the word WARNING does not fail the run, a kernel message interleaved into
# a test's output line still does.
set -u

[ -r "${1:-}" ] || { echo "usage: $0 LOG" >&2; exit 2; }

tr -d '\r' <"$1" | awk '
	/\[ *[0-9]+\.[0-9]+\] / {
		line = substr($0, match($0, /\[ *[0-9]+\.[0-9]+\] /))
		if (line ~ /Oops|BUG:|kernel BUG at|WARNING:|KASAN:|UBSAN:|KFENCE:|Call Trace:|blocked for more than [0-9]+ seconds|general protection fault|Kernel panic|rcu.*(stall|detected stalls)/) {
			if (found < 20)
				print "kernel report: " line
			found++
		}
	}
	END {
		if (found > 20)
			print "kernel report: ... " found - 20 " more lines"
		exit found > 0
	}'
