#!/usr/bin/env bash
# Where a process's CPU goes, by thread group and by kind of work, including the kernel's share
# (JFR sees neither the kernel nor time in native code outside Java's own frames):
#
#   benchmarks/perf-breakdown.sh PID [SECONDS]
#
# Samples PID with `perf record -e cpu-clock -g` for SECONDS (default 10) and prints, per thread
# group (trailing numbers of thread names folded: stephttp-http-7 -> stephttp-http-N), the share
# of its samples by what the sampled stack was doing: parked or woken through a futex, socket or
# file writes, fsync, SQLite's C code, JIT-compiled Java, the JVM itself. Needs Linux `perf`
# (Debian: linux-perf) and python3; run as root or with kernel.perf_event_paranoid <= 1.
# See BENCHMARKS.md, "Issue 10: the JIT in the measured window".
set -euo pipefail
pid="$1"
seconds="${2:-10}"
data="$(mktemp "${TMPDIR:-/tmp}/perf-breakdown.XXXXXX")"
trap 'rm -f "$data"' EXIT
perf record -q -e cpu-clock -F 999 -g -p "$pid" -o "$data" -- sleep "$seconds" >/dev/null 2>&1
perf script -i "$data" 2>/dev/null | python3 -c '
import collections, re, sys

KINDS = [  # first match wins, tested against the whole stack
    ("parked (futex wait)", ("futex_wait", "futex_do_wait")),
    ("waking a thread (futex wake)", ("pthread_cond_signal", "futex_wake")),
    ("fsync", ("fsync", "fdatasync")),
    ("file write/read", ("__libc_pwrite", "__libc_pread")),
    ("socket write", ("writev", "tcp_sendmsg")),
    ("epoll", ("epoll",)),
    ("socket read", ("tcp_recvmsg", "sock_read")),
    ("SQLite (C)", ("libsqlitejdbc",)),
]
threads = collections.Counter()
kinds = collections.defaultdict(collections.Counter)
for block in sys.stdin.read().split("\n\n"):
    lines = [l for l in block.strip().split("\n") if l]
    if len(lines) < 2:
        continue
    thread = re.sub(r"-\d+$", "-N", lines[0].split()[0])
    stack = " ".join(lines[1:])
    top = lines[1]
    kind = next((k for k, marks in KINDS if any(m in stack for m in marks)), None)
    if kind is None:
        if "perf-" in top or "[unknown]" in top:
            kind = "Java (JIT-compiled)"
        elif "libjvm" in top:
            kind = "JVM (GC, compiler, runtime)"
        elif "kernel" in top:
            kind = "kernel, other"
        else:
            kind = "native, other"
    threads[thread] += 1
    kinds[thread][kind] += 1
total = sum(threads.values())
print(f"{total} samples ({total / 999:.1f} s of CPU)")
for thread, n in threads.most_common(8):
    print(f"\n{thread}: {100 * n / total:.1f}% of the samples")
    for kind, m in kinds[thread].most_common(8):
        print(f"  {100 * m / n:5.1f}%  {kind}")
'
