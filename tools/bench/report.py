#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 OR MIT)
"""Turn sdrp-bench's raw results into Documentation/performance.rst and a plot.

Input: the SDRP-BENCH-BEGIN..END block of one VM run (one line per
repetition of each measurement), the host's `make -C userspace bench`
output and a few facts about the host.  Every figure is a median over the
repetitions; every comparison a ratio of medians taken in the same run.
"""

import argparse
import math
import os
import statistics
import subprocess
import sys
from collections import defaultdict

TRANSPORTS = [
    ("tcp", "plain TCP"),
    ("ktls", "kTLS (TLS 1.3, AES-256-GCM)"),
    ("sdrp-kernel-r10", "sdrp kernel, rekey every 10"),
    ("sdrp-kernel-rmax", "sdrp kernel, no rekey"),
    ("sdrp-peer-r10", "sdrp libsdrp peer, rekey every 10"),
    ("sdrp-peer-rmax", "sdrp libsdrp peer, no rekey"),
]
NAMES = dict(TRANSPORTS)
BASELINE = "ktls"
HS_BASELINE = "tls13-rsa3072"
HS_SDRP = "sdrp-daemon-rsa3072"
HS_KINDS = [
    ("tls13-rsa3072", "TLS 1.3, mutual RSA-3072 (OpenSSL)"),
    (HS_SDRP, "sdrp, kernel sockets through sdrpd"),
    ("sdrp-lib-rsa3072", "sdrp, libsdrp in-process (no sdrpd)"),
]


def size_name(n):
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return "%d MiB" % (n >> 20)
    if n >= 1024 and n % 1024 == 0:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


class Results:
    def __init__(self, path):
        self.meta = {}
        # each: key -> {rep: value}
        self.rr = defaultdict(dict)        # (t, size, sessions): rate
        self.bulk = defaultdict(dict)      # t: bytes/s
        self.crypto = defaultdict(dict)    # (alg, size): bytes/s
        self.drivers = {}                  # alg -> driver
        self.mem = defaultdict(dict)       # t: bytes
        self.hs_lat = defaultdict(dict)    # kind: median s of the rep
        self.hs_rate = defaultdict(dict)   # (kind, workers): 1/s
        self.hs_cpu = defaultdict(dict)    # kind: least s of computation
                                           # alone in the rep
        self.hs_samples = defaultdict(lambda: defaultdict(list))
        self.unavailable = []              # (who, what, reason)
        self.warnings = []                 # text
        with open(path) as f:
            for line in f:
                self.parse(line.rstrip("\n"))

    def parse(self, line):
        w = line.split()
        if not w:
            return
        kind = w[0]
        if kind == "meta":
            self.meta[w[1]] = " ".join(w[2:])
        elif kind == "rr":
            self.rr[(w[1], int(w[2]), int(w[3]))][int(w[4])] = float(w[5])
        elif kind == "bulk":
            self.bulk[w[1]][int(w[3])] = float(w[4])
        elif kind == "crypto":
            self.drivers[w[1]] = w[2]
            self.crypto[(w[1], int(w[3]))][int(w[4])] = float(w[5])
        elif kind == "mem":
            self.mem[w[1]][int(w[3])] = float(w[4])
        elif kind == "hs-latency":
            samples = self.hs_samples[w[1]][int(w[2])]
            samples.append(float(w[3]))
            self.hs_lat[w[1]][int(w[2])] = statistics.median(samples)
        elif kind == "hs-cpu":
            # noise only adds time: the least of the repetition's
            cpu = self.hs_cpu[w[1]]
            cpu[int(w[2])] = min(float(w[3]), cpu.get(int(w[2]), math.inf))
        elif kind == "hs-rate":
            self.hs_rate[(w[1], int(w[2]))][int(w[3])] = float(w[4])
        elif kind == "warning":
            self.warnings.append(" ".join(w[1:]))
        elif kind == "unavailable":
            self.unavailable.append((w[1], w[2], " ".join(w[3:])))

    def why(self, who, prefix=""):
        for t, what, reason in self.unavailable:
            if t == who and what.startswith(prefix):
                return "%s: %s" % (what, reason)
        for t, what, reason in self.unavailable:
            if t == who:
                return "%s: %s" % (what, reason)
        return None


def hs_all(res, kind):
    """Every latency sample of a handshake kind, all repetitions."""
    return [x for rep in res.hs_samples.get(kind, {}).values() for x in rep]


def p90(v):
    if len(v) < 2:
        return v[0] if v else None
    return statistics.quantiles(v, n=10, method="inclusive")[-1]


def hs_parallel(res):
    """The worker count of the parallel handshake rate (0: none)."""
    return max([n for _, n in res.hs_rate if n > 1], default=0)


def hs_waiting(res, kind):
    """Median over the repetitions of latency less computation."""
    lat, cpu = res.hs_lat.get(kind, {}), res.hs_cpu.get(kind, {})
    both = [lat[r] - cpu[r] for r in lat if r in cpu]
    return statistics.median(both) if both else None


def fmt_ms(v):
    return "n/a" if v is None else "%.1f ms" % (v * 1e3)


def med(v):
    """Median of a {rep: value} dict (or a list)."""
    if isinstance(v, dict):
        v = list(v.values())
    return statistics.median(v) if v else None


def ratio(a, b):
    """a / b.  For two {rep: value} dicts: the median of the ratios of the
    repetitions both have (each pair measured moments apart, so drift in
    the shared host's load cancels), else the ratio of the medians."""
    if isinstance(a, dict) and isinstance(b, dict):
        common = [r for r in a if r in b and b[r]]
        if common:
            return statistics.median(a[r] / b[r] for r in common)
        a, b = med(a), med(b)
    elif isinstance(a, dict):
        a = med(a)
    elif isinstance(b, dict):
        b = med(b)
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "n/a" if r is None else "%.2f" % r


def fmt_num(v, unit=""):
    if v is None:
        return "n/a"
    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return "%.3g %s%s" % (v / div, suf, unit)
    return "%.3g %s" % (v, unit) if unit else "%.3g" % v


def table(header, rows):
    """An RST simple table."""
    cols = len(header)
    cells = [header] + rows
    width = [max(len(str(r[i])) for r in cells) for i in range(cols)]
    rule = "  ".join("=" * w for w in width)
    out = [rule, "  ".join(str(h).ljust(w) for h, w in zip(header, width)),
           rule]
    for r in rows:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(r, width)))
    out.append(rule)
    return "\n".join(out) + "\n"


def heading(text, ch):
    return "%s\n%s\n\n" % (text, ch * len(text))


def sizes_of(res):
    return sorted({k[1] for k in res.rr})


def sessions_of(res):
    return sorted({k[2] for k in res.rr})


def crypto_limit(res, size):
    """Lock-step exchanges/s the kernel's own crypto allows for one sdrp
    response of `size` bytes: sealed (GCM + HMAC) by the server, then
    opened (HMAC + GCM) by the client, one after the other."""
    g = med(res.crypto.get(("gcm(aes)", size), {}))
    h = med(res.crypto.get(("hmac(sha512)", size), {}))
    if not g or not h:
        return None
    return 1.0 / (2.0 * (size / g + size / h))


def ktls_crypto_limit(res, size):
    """The same for kTLS: GCM only, in records of at most 16 KiB."""
    rec = min(size, 16384)
    g = med(res.crypto.get(("gcm(aes)", rec), {}))
    if not g:
        return None
    return 1.0 / (2.0 * size / g)


class Target:
    def __init__(self, text):
        self.text = text
        self.rows = []

    def add(self, what, value, limit, ge=True, why=None):
        if value is None:
            verdict = "not measured" + (" (%s)" % why if why else "")
            shown = "n/a"
        else:
            ok = value >= limit if ge else value <= limit
            verdict = "met" if ok else "NOT met"
            shown = "%.2f" % value
        self.rows.append([what, shown, ("≥ " if ge else "≤ ") + "%.2f" % limit,
                          verdict])


def targets(res):
    out = []
    kt = lambda s, n: res.rr.get(("ktls", s, n), {})
    rr = lambda t, s, n: res.rr.get((t, s, n), {})

    t = Target("sdrp kernel request rate at 1 KiB against kTLS")
    for n in sessions_of(res):
        t.add("no rekey, %d session%s" % (n, "s" if n > 1 else ""),
              ratio(rr("sdrp-kernel-rmax", 1024, n), kt(1024, n)), 0.85,
              why=res.why("sdrp-kernel-rmax", "rr") or res.why("ktls", "rr"))
        t.add("rekey every 10, %d session%s" % (n, "s" if n > 1 else ""),
              ratio(rr("sdrp-kernel-r10", 1024, n), kt(1024, n)), 0.6,
              why=res.why("sdrp-kernel-r10", "rr") or res.why("ktls", "rr"))
    out.append(t)

    t = Target("sdrp kernel bulk throughput (1 MiB responses) against its "
               "crypto limit")
    lim = crypto_limit(res, 1 << 20)
    for name in ("sdrp-kernel-rmax", "sdrp-kernel-r10"):
        b = med(res.bulk.get(name, {}))
        t.add(NAMES[name], ratio(b, lim * (1 << 20)) if lim else None, 0.85,
              why=res.why(name, "bulk") or
              (None if lim else "no crypto limit measured"))
    out.append(t)

    t = Target("sdrp kernel request rate against the libsdrp peer "
               "(same rekey interval)")
    for suffix, label in (("rmax", "no rekey"), ("r10", "rekey every 10")):
        for n in sessions_of(res):
            ratios = []
            for s in sizes_of(res):
                r = ratio(rr("sdrp-kernel-" + suffix, s, n),
                          rr("sdrp-peer-" + suffix, s, n))
                if r is not None:
                    ratios.append((r, s))
            if ratios:
                worst = min(ratios)
                t.add("%s, %d session%s, worst size (%s)" %
                      (label, n, "s" if n > 1 else "", size_name(worst[1])),
                      worst[0], 1.3)
            else:
                t.add("%s, %d session%s" % (label, n, "s" if n > 1 else ""),
                      None, 1.3, why=res.why("sdrp-kernel-" + suffix, "rr") or
                      res.why("sdrp-peer-" + suffix, "rr"))
    out.append(t)

    t = Target("Handshake latency against TLS 1.3 with mutual RSA-3072 "
               "(ratio, lower is better)")
    base = res.hs_lat.get(HS_BASELINE, {})
    t.add("sdrp through sdrpd on both hosts, median",
          ratio(res.hs_lat.get(HS_SDRP, {}), base), 1.0, ge=False,
          why=res.why(HS_SDRP) or res.why(HS_BASELINE))
    sp, bp = p90(hs_all(res, HS_SDRP)), p90(hs_all(res, HS_BASELINE))
    t.add("sdrp through sdrpd on both hosts, 90th percentile",
          ratio(sp, bp), 1.0, ge=False,
          why=res.why(HS_SDRP) or res.why(HS_BASELINE))
    out.append(t)

    t = Target("Kernel memory per idle session against kTLS "
               "(ratio, lower is better)")
    t.add("sdrp kernel, whole session (both sockets)",
          ratio(res.mem.get("sdrp-kernel-r10", {}),
                res.mem.get("ktls", {})), 2.0, ge=False,
          why=res.why("sdrp-kernel-r10", "mem") or res.why("ktls", "mem"))
    out.append(t)
    return out


def write_plot(res, data_path, png_path):
    sizes = sizes_of(res)
    sess = sessions_of(res)
    names = [t for t, _ in TRANSPORTS]
    with open(data_path, "w") as f:
        f.write("# size " + " ".join("%s/%d" % (t, n) for n in sess
                                     for t in names) + "\n")
        for s in sizes:
            row = [str(s)]
            for n in sess:
                for t in names:
                    v = med(res.rr.get((t, s, n), {}))
                    row.append("?" if v is None else "%.4g" % v)
            f.write(" ".join(row) + "\n")
    plots = []
    for i, n in enumerate(sess):
        lines = []
        for j, t in enumerate(names):
            if not any(res.rr.get((t, s, n)) for s in sizes):
                continue    # unavailable: nothing to draw
            col = 2 + i * len(names) + j
            lines.append("'%s' using 1:%d with linespoints lw 2 pt %d "
                         "title '%s'" % (data_path, col, j + 4, NAMES[t]))
        plots.append("set title 'Lock-step request rate, %d session%s'\n"
                     "plot %s\n" % (n, "s" if n > 1 else "",
                                    ", \\\n     ".join(lines)))
    script = """
set terminal pngcairo size 1100,%d font 'DejaVu Sans,10'
set output '%s'
set datafile missing '?'
set logscale xy
set xlabel 'response size (bytes)'
set ylabel 'exchanges per second (median)'
set xtics (%s)
set key outside right top
set grid
set multiplot layout %d,1
%s
unset multiplot
""" % (380 * len(sess), png_path,
       ", ".join("'%s' %d" % (size_name(s), s) for s in sizes), len(sess),
       "\n".join(plots))
    subprocess.run(["gnuplot"], input=script.encode(), check=True)


def read_kv(path):
    kv = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition(" ")
            kv[k] = v
    return kv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--native", required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--rst", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--plot-data", required=True)
    ap.add_argument("--analysis",
                    help="hand-written notes on a run, included verbatim")
    a = ap.parse_args()

    res = Results(a.results)
    host = read_kv(a.host)
    with open(a.native) as f:
        native = [l.rstrip("\n") for l in f if l.strip()]
    m = res.meta
    sizes = sizes_of(res)
    sess = sessions_of(res)
    names = [t for t, _ in TRANSPORTS]
    png_name = os.path.basename(a.png)
    o = []
    w = o.append

    w(".. SPDX-License-Identifier: (GPL-2.0 OR MIT)\n")
    w(".. Generated by `make bench` (tools/bench/report.py): do not edit.\n\n")
    w(heading("sdrp performance", "="))
    w("What sdrp's extra security costs next to kernel TLS, measured in one "
      "run: the same lock-step request/response pattern over plain TCP, kTLS, "
      "sdrp in the kernel and sdrp in userspace (libsdrp's peer), the "
      "kernel's own crypto limit, kernel memory per idle session and "
      "handshake cost.  Every figure is a ratio against a baseline measured "
      "in the same run (median of %s repetitions); absolute numbers are for "
      "orientation only.\n\n" % m.get("reps", "?"))
    w(".. warning::\n\n"
      "   The run is in a qemu **TCG** (emulated, no KVM) virtual machine.  "
      "Absolute figures are one to three orders of magnitude below real "
      "hardware, and the emulation distorts *relative* costs: AES (and "
      "GHASH) run far slower relative to SHA-512 than on a real CPU with "
      "AES-NI and PCLMULQDQ, so sdrp's HMAC-SHA512 weighs less, and kTLS's "
      "GCM more, than they would natively.  The host's native per-record "
      "costs are given below for that reason.\n\n")

    w(heading("Targets", "-"))
    for t in targets(res):
        w("**%s**\n\n" % t.text)
        w(table(["case", "ratio", "target", "verdict"], t.rows))
        w("\n")

    w(heading("Request rate", "-"))
    w("Exchanges per second of all sessions together, each session a client "
      "thread sending a %s-byte request and waiting for the whole response, "
      "and a server thread answering it.  Ratio to kTLS (%s) in the same "
      "run:\n\n" % (m.get("req_len", "32"), BASELINE))
    for n in sess:
        rows = []
        for s in sizes:
            base = res.rr.get((BASELINE, s, n), {})
            rows.append([size_name(s)] + [
                fmt_ratio(ratio(res.rr.get((t, s, n), {}), base))
                for t in names])
        w("%d session%s:\n\n" % (n, "s" if n > 1 else ""))
        w(table(["response"] + names, rows))
        w("\n")
    w("Absolute medians (exchanges/s), for orientation:\n\n")
    rows = []
    for n in sess:
        for s in sizes:
            rows.append(["%s x%d" % (size_name(s), n)] +
                        [fmt_num(med(res.rr.get((t, s, n), {})))
                         for t in names])
    w(table(["response x sessions"] + names, rows))
    if sizes:
        w("\n.. image:: %s\n   :alt: request rate against response size\n\n"
          % png_name)
    else:
        w("\nNo request-rate point in this run (``--only`` without rr).\n\n")

    # where the time goes: crypto share and rekey cost
    w(heading("Where the time goes", "-"))
    rows = []
    for s in sizes:
        if s < 1024:
            continue
        lim = crypto_limit(res, s)
        for t in ("sdrp-kernel-rmax", "sdrp-peer-rmax"):
            r = med(res.rr.get((t, s, 1), {}))
            rows.append([size_name(s), t, fmt_num(lim),
                         fmt_ratio(ratio(r, lim))])
        kl = ktls_crypto_limit(res, s)
        rows.append([size_name(s), "ktls", fmt_num(kl),
                     fmt_ratio(ratio(med(res.rr.get(("ktls", s, 1), {})), kl))])
    w("Crypto share: the exchange rate the kernel's own crypto allows for "
      "one session (the response sealed, then opened, one after the other: "
      "GCM + HMAC-SHA512 twice for sdrp, GCM twice for kTLS; request and "
      "acknowledgement records not counted), and the measured rate as a "
      "fraction of it.  A fraction near 1 means crypto is the whole cost; "
      "the rest is copies, TCP, scheduling and the protocol's extra "
      "records.  64-byte responses are left out: there AF_ALG's two system "
      "calls per operation, not the crypto, make the limit.\n\n")
    w(table(["response", "transport", "crypto-limited rate", "fraction"],
            rows))
    w("\n")
    rows = []
    for s in sizes:
        for kind in ("kernel", "peer"):
            r10 = med(res.rr.get(("sdrp-%s-r10" % kind, s, 1), {}))
            rmax = med(res.rr.get(("sdrp-%s-rmax" % kind, s, 1), {}))
            if r10 and rmax:
                # one rekey per 10 exchanges
                cost = 10.0 * (1.0 / r10 - 1.0 / rmax)
                rows.append([size_name(s), kind, "%.1f ms" % (cost * 1e3),
                             "%.2f" % (cost * rmax)])
    if rows:
        w("Rekey cost: the extra time per rekey (every 10 responses) from the "
          "one-session rates with and without rekey, and the same in "
          "exchanges' worth of time (noise can make a small cost come out "
          "negative):\n\n")
        w(table(["response", "sdrp", "per rekey", "in exchanges"], rows))
        w("\n")
    else:
        w("Rekey cost: not measured (a transport with or without rekey is "
          "unavailable, see below).\n\n")

    w(heading("Bulk throughput", "-"))
    lim = crypto_limit(res, 1 << 20)
    klim = ktls_crypto_limit(res, 1 << 20)
    base = res.bulk.get(BASELINE, {})
    rows = []
    for t in names:
        b = med(res.bulk.get(t, {}))
        l = (lim if t.startswith("sdrp") else klim if t == "ktls" else None)
        rows.append([t, fmt_num(b, "B/s"),
                     fmt_ratio(ratio(res.bulk.get(t, {}), base)),
                     fmt_ratio(ratio(b, l * (1 << 20)) if l else None)])
    w("One session, 1 MiB responses (sdrp: one record; kTLS: 64 records of "
      "16 KiB).  The crypto limit is the kernel's gcm(aes) and hmac(sha512) "
      "as below, each byte sealed then opened in lock step (the libsdrp "
      "peer uses libsodium, not the kernel's crypto, so its fraction only "
      "compares).\n\n")
    w(table(["transport", "throughput", "ratio to kTLS",
             "fraction of crypto limit"], rows))
    w("\n")

    w(heading("Crypto limit", "-"))
    w("The kernel's own implementations, from userspace through AF_ALG "
      "(which adds a copy in and out and two system calls per operation), "
      "same VM run.  Drivers: gcm(aes) = ``%s``, hmac(sha512) = ``%s``.  "
      "GCM: encryption of a 12-byte header (AAD) and the data; HMAC: the "
      "data.\n\n" % (res.drivers.get("gcm(aes)", "?"),
                     res.drivers.get("hmac(sha512)", "?")))
    rows = []
    for s in sorted({k[1] for k in res.crypto}):
        g = med(res.crypto.get(("gcm(aes)", s), {}))
        h = med(res.crypto.get(("hmac(sha512)", s), {}))
        rows.append([size_name(s), fmt_num(g, "B/s"), fmt_num(h, "B/s"),
                     fmt_ratio(ratio(h, g))])
    w(table(["size", "gcm(aes)", "hmac(sha512)", "HMAC / GCM speed"], rows))
    w("\nOn real x86 hardware with AES-NI, AES-256-GCM runs several times "
      "faster than HMAC-SHA512; the last column shows how far this VM "
      "is from that.\n\n")

    w(heading("Kernel memory per idle session", "-"))
    w("Growth of the kernel's slab (/proc/meminfo Slab) with %s sessions "
      "open, each after one 64-byte exchange, divided by the number of "
      "sessions (median of %s runs).  Both ends run in this kernel, so a "
      "session is two sockets.  The target compares whole sessions; the "
      "last column compares only what each ULP adds to plain TCP.\n\n"
      % (m.get("mem_sessions", "?"), m.get("mem_reps", "?")))
    tcp = med(res.mem.get("tcp", {}))
    kt = med(res.mem.get("ktls", {}))
    rows = []
    for t in ("tcp", "ktls", "sdrp-kernel-r10"):
        v = med(res.mem.get(t, {}))
        own = None if v is None or tcp is None else v - tcp
        kt_own = None if kt is None or tcp is None else kt - tcp
        rows.append([NAMES[t], fmt_num(v, "B"),
                     "n/a" if own is None or t == "tcp" else fmt_num(own, "B"),
                     fmt_ratio(ratio(res.mem.get(t, {}),
                                     res.mem.get("ktls", {}))),
                     "n/a" if t == "tcp" else fmt_ratio(ratio(own, kt_own))])
    w(table(["transport", "per session", "over plain TCP",
             "ratio to kTLS", "ratio over TCP"], rows))
    w("\n")

    w(heading("Handshakes", "-"))
    two = m.get("hs_hosts") == "two"
    par = hs_parallel(res)
    w("Each handshake on a fresh TCP connection, %s, client and server in "
      "two threads of one process, timed from connect() until both ends "
      "are done.  RSA-3072 keys on both sides; TLS: X.509 certificates, "
      "TLS_AES_256_GCM_SHA384, X25519, RSA-PSS-SHA512 signatures, no "
      "resumption; sdrp: sdrp certificates (RSA-PSS-SHA512), X25519.  "
      "**sdrp through sdrpd** is what an application gets: kernel sockets, "
      "``TCP_ULP`` then ``SDRP_HANDSHAKE`` on both ends, each served by the "
      "sdrpd of its own host (generic netlink upcalls), done when both "
      "calls returned and each end read the peer identity its sdrpd "
      "verified.  **libsdrp in-process** runs the same protocol messages "
      "in the benchmark's own threads (no daemon, no netlink): the "
      "protocol's own cost.  Latency: median and 90th percentile of %s "
      "handshakes one after the other per kind (%s per repetition), the "
      "ratio being the median of the repetitions' ratios.  Computation: "
      "one handshake's work in a single thread with no I/O (TLS through a "
      "BIO pair; sdrp: the three turns sdrpd runs, client HELLO, server "
      "HELLO ACK, client finish), the least of a few per repetition, median "
      "over the repetitions: the least a handshake can take here.  Waiting: "
      "the rest of the latency (wake-ups, netlink, TCP, the other vCPU), "
      "the median over the repetitions of their median latency less their "
      "computation.  Rate: "
      "handshakes per second one after the other%s.\n\n"
      % ("between two network namespaces over a veth pair (client in one, "
         "server in the other, an sdrpd in each)" if two else
         "over loopback in one network namespace",
         len(hs_all(res, HS_BASELINE)) or "?", m.get("hs_per_rep", "?"),
         ", and with %d workers doing so at once" % par if par else ""))
    bl = res.hs_lat.get(HS_BASELINE, {})
    rows = []
    for kind, label in HS_KINDS:
        samples = hs_all(res, kind)
        cpu = med(res.hs_cpu.get(kind, {}))
        row = [label,
               "%.1f ms" % (med(samples) * 1e3) if samples else "n/a",
               "%.1f ms" % (p90(samples) * 1e3) if samples else "n/a",
               fmt_ratio(ratio(res.hs_lat.get(kind, {}), bl)),
               "n/a" if cpu is None else "%.1f ms" % (cpu * 1e3),
               fmt_ms(hs_waiting(res, kind))]
        for n in [1] + ([par] if par else []):
            r = res.hs_rate.get((kind, n), {})
            row += ["n/a" if not r else "%.2f/s" % med(r),
                    fmt_ratio(ratio(r, res.hs_rate.get((HS_BASELINE, n),
                                                       {})))]
        rows.append(row)
    header = ["handshake", "latency", "p90", "ratio", "computation",
              "waiting", "rate, 1 at a time", "ratio"]
    if par:
        header += ["rate, %d at once" % par, "ratio"]
    w(table(header, rows))
    w("\n")

    w(heading("Unavailable", "-"))
    if res.unavailable:
        w("Measurements that could not run in this run, with the first "
          "failure (no figure is made up for them):\n\n")
        for who, what, reason in res.unavailable:
            w("- ``%s`` (%s): %s\n" % (who, what, reason))
        w("\n")
    else:
        w("None: every measurement ran.\n\n")
    if res.warnings:
        w("Warnings (the figure was kept, something else went wrong):\n\n")
        for text in res.warnings:
            w("- %s\n" % text)
        w("\n")

    if a.analysis and os.path.exists(a.analysis):
        w(heading("Analysis", "-"))
        with open(a.analysis) as f:
            lines = f.read().splitlines()
        # the file's own SPDX comment stays out of the report
        w("\n".join(l for l in lines if not l.startswith(".. SPDX")).strip())
        w("\n\n")

    w(heading("Host native per-record costs", "-"))
    w("libsdrp's micro-benchmark (`make -C userspace bench`) on the host "
      "CPU, natively: what one sdrp record costs without the emulation.\n\n"
      "::\n\n")
    for l in native:
        w("    %s\n" % l)
    w("\n")

    w(heading("Method and machine", "-"))
    w(table(["what", "value"], [
        ["guest kernel", m.get("kernel", "?")],
        ["guest CPU", "%s, %s vCPUs, %s MiB" % (m.get("cpu", "?"),
                                               m.get("cpus", "?"),
                                               m.get("mem_mib", "?"))],
        ["emulator", host.get("qemu", "?") + " (TCG)"],
        ["host CPU", "%s, %s cores (shared)" % (host.get("cpu", "?"),
                                                host.get("cpus", "?"))],
        ["host kernel", host.get("kernel", "?")],
        ["TLS library", host.get("openssl", "?")],
        ["repetitions", m.get("reps", "?")],
        ["window", "%s s per request-rate point, %s s bulk, %s s per crypto "
         "point" % (m.get("window_s", "?"), m.get("bulk_window_s", "?"),
                    m.get("alg_window_s", "?"))],
        ["run", "%s s in the VM, %s, commit %s" % (
            m.get("duration_s", "?"), host.get("date", "?"),
            host.get("commit", "?"))],
    ]))
    w("""
- ``tools/bench/sdrp-bench`` runs in the test VM (``make bench``: one boot
  of ``selftests/vm/run.sh``), client and server on loopback in one
  network namespace, one thread per end of each session; the handshakes
  run between two network namespaces with an sdrpd each
  (``selftests/lib/bench_hosts.sh``).
- Keys are set directly, with no handshake: kTLS through ``TLS_TX`` /
  ``TLS_RX`` (TLS 1.3, AES-256-GCM), sdrp through ``SDRP_KEYS`` (kernel)
  or ``sdrp_peer_start_keys()`` (libsdrp peer) from one random
  ``struct sdrp_keys``; ``SDRP_PARAMS`` sets the rekey interval: 10 (the
  paper's) or %s (no rekey within a run).
- With one session, client and server threads are pinned to vCPU 0: in
  lock step nothing runs in parallel, and under TCG a wake-up across vCPUs
  costs milliseconds, which would otherwise be most of what a small
  exchange measures.  Work the kernel defers to other threads (softirq,
  kworkers) is not pinned.  16 sessions use both vCPUs freely.
- A point's rate is the sum over sessions of each session's completed
  exchanges divided by the time to its last completion, after one
  warm-up exchange; a point runs for at least the window and until every
  session completed two exchanges.
- Repetitions are the outermost loop, so that load from elsewhere on the
  shared host spreads over all transports; medians are reported.
- A transport that fails (module missing, feature not in the kernel yet,
  an error mid-run) is reported under *Unavailable* and left out of that
  section from then on.
""" % m.get("rekey_large", "?"))

    with open(a.rst, "w") as f:
        f.write("".join(o))
    if sizes:
        write_plot(res, a.plot_data, a.png)
    for t in targets(res):
        for row in t.rows:
            print("target: %s: %s: %s (%s)" % (t.text, row[0], row[1],
                                               row[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
