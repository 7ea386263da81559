# SPDX-License-Identifier: GPL-2.0-or-later
#
# lib.sh - what the benchmark scripts share; sourced, not run.
#
# Sets BENCH (this directory), TOP (the source tree), STAP, STAPVM,
# RELEASE (the VM kernel's release, from STAP_BENCH_RELEASE, else the VM's
# default kernel (VM_DIR/default, written by vm/install-kernel), else the
# first /lib/modules entry with headers) and SYSTEMTAP (SystemTap 4.8's stap,
# /usr/bin/stap), and defines:
#	bench_tmpdir		a temporary directory, removed at exit
#	systemtap_runtime DIR	a patched copy of SystemTap's runtime in DIR
#	machine_report		the date, machine and tree, as "# " lines
#	median			the median of the numbers on stdin

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH")
STAP=$TOP/translator/stap
STAPVM=$TOP/vm/stap-vm
SYSTEMTAP=${SYSTEMTAP:-/usr/bin/stap}

if [ -n "${STAP_BENCH_RELEASE:-}" ]; then
	RELEASE=$STAP_BENCH_RELEASE
elif [ -s "${STAP_VM_DIR:-/var/lib/stap/vm}/default" ]; then
	RELEASE=$(head -n 1 "${STAP_VM_DIR:-/var/lib/stap/vm}/default")
else
	RELEASE=$(cd /lib/modules && for r in *; do
		[ -e "$r/build/Makefile" ] && echo "$r"; done | head -n 1)
fi
[ -n "$RELEASE" ] || { echo "no kernel headers in /lib/modules/*/build" >&2; exit 1; }

bench_tmpdir() {
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/stap-bench.XXXXXX")
	trap 'rm -rf "$BENCH_TMP"' EXIT
}

# SystemTap 4.8's runtime does not build against Debian's 6.1.192
# headers: task_work_cancel(task, func) was backported as
# task_work_cancel_func(), and task_work_cancel() now takes a
# callback_head.  Copy the runtime and point the copy at the new name
# (at benchmark time only; none of SystemTap's code is kept here).
systemtap_runtime() {
	local dir=$1 build common

	cp -r /usr/share/systemtap/runtime "$dir"
	# Debian splits the headers: the flavour's directory includes the
	# Makefile of a common one, which holds include/linux.
	build=/lib/modules/$RELEASE/build
	common=$(sed -n 's,^include \(.*\)/Makefile$,\1,p' "$build/Makefile")
	if cat "$build/include/linux/task_work.h" \
	       "${common:-$build}/include/linux/task_work.h" 2> /dev/null |
	   grep -q 'task_work_cancel_func'; then
		sed -i -e 's/typeof(&task_work_cancel)/typeof(\&task_work_cancel_func)/' \
		       -e 's/kallsyms_lookup_name("task_work_cancel")/kallsyms_lookup_name("task_work_cancel_func")/' \
		       "$dir/stp_task_work.c"
	fi
}

machine_report() {
	local model

	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# machine: $(nproc) CPUs, $model; load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# kernel headers: $RELEASE; SystemTap: $("$SYSTEMTAP" -V 2>&1 | head -n 1)"
	echo "# tree: $(git -C "$TOP" describe --always --dirty 2> /dev/null || echo unknown)"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
