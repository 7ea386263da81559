#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bpf.sh [RUNS [N]] - stap --bpf next to bpftrace, natively on this machine's
# kernel, in one run: Markdown for doc/performance.md.
#
#   command to armed probes: the time from starting the tool to the first
#	line its probe on raw_syscalls:sys_enter prints (that tracepoint fires
#	all the time, so the first hit comes as soon as the probe is armed),
#	RUNS runs of each, taken in turns (default 10)
#   per hit: getppid-loop's N calls of getppid(2) (default 1000000), timed
#	with no tool, then with each tool counting them by pid on
#	syscalls:sys_enter_getppid; the difference per call, medians of RUNS
#
# Run as root (BPF).  bpftrace is Debian's (apt-get install bpftrace).
set -eu
. "$(dirname "$0")/lib.sh"
runs=${1:-10}
n=${2:-1000000}
bench_tmpdir
tmp=$BENCH_TMP
gcc -O2 -o "$tmp/getppid-loop" "$BENCH/getppid-loop.c"
mount | grep -q ' /sys/kernel/tracing ' || mount -t tracefs nodev /sys/kernel/tracing

# ms from starting CMD... to its first line holding "armed"
first_line_ms() {
	local t0 t1
	t0=$(date +%s%N)
	t1=$("$@" 2> /dev/null | { while read -r l; do
		case $l in *armed*) date +%s%N; break ;; esac; done; cat > /dev/null; })
	echo $(((t1 - t0) / 1000000))
}

stap_armed=() bpftrace_armed=()
for ((i = 0; i < runs; i++)); do
	stap_armed+=("$(first_line_ms "$STAP" --bpf -e \
		'probe kernel.trace("raw_syscalls:sys_enter") { printf("armed\n"); exit() }')")
	bpftrace_armed+=("$(first_line_ms bpftrace -e \
		'tracepoint:raw_syscalls:sys_enter { printf("armed\n"); exit(); }')")
done

# ns per call of getppid-loop, median of RUNS loops
loop_ns() {
	"$tmp/getppid-loop" "$n" "$runs" | awk -v n="$n" '{ print $3 / n }' | median
}

# the loop's cost while CMD... runs in the background
with_tool() {
	"$@" > /dev/null 2>&1 &
	local pid=$!
	sleep 2		# armed well before the loop
	loop_ns
	kill -INT "$pid"
	wait "$pid" || true
}

base=$(loop_ns)
stap_hit=$(with_tool "$STAP" --bpf -e \
	'global n; probe kernel.trace("syscalls:sys_enter_getppid") { n[pid()]++ }')
bpftrace_hit=$(with_tool bpftrace -e 'tracepoint:syscalls:sys_enter_getppid { @n[pid] = count(); }')

machine_report
echo "# this kernel: $(uname -r); $(bpftrace --version)"
echo
echo "| | stap --bpf | bpftrace |"
echo "|---|---|---|"
echo "| command to armed probes, ms (median of $runs; min-max) | $(printf '%s\n' "${stap_armed[@]}" | median) ($(printf '%s\n' "${stap_armed[@]}" | sort -n | head -n 1)-$(printf '%s\n' "${stap_armed[@]}" | sort -n | tail -n 1)) | $(printf '%s\n' "${bpftrace_armed[@]}" | median) ($(printf '%s\n' "${bpftrace_armed[@]}" | sort -n | head -n 1)-$(printf '%s\n' "${bpftrace_armed[@]}" | sort -n | tail -n 1)) |"
awk -v b="$base" -v s="$stap_hit" -v t="$bpftrace_hit" 'BEGIN {
	printf "| getppid(2), ns per call (no tool: %.0f) | %.0f | %.0f |\n", b, s, t
	printf "| added per hit, ns | %.0f | %.0f |\n", s - b, t - b }'
