#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
#
# VM test: sdrp-bench --smoke, a few hundred milliseconds per transport,
# responses checked byte by byte; a transport whose kernel support is
# missing is a SKIP with the reason, any other failure a "not ok".
# Needs sdrp-bench in the guest (build/tools/bench/sdrp-bench in VM_PROGS).
modprobe tls 2>/dev/null
exec sdrp-bench --smoke
