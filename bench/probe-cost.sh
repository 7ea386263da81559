#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# probe-cost.sh - what one probe hit costs, in guest instructions, for
# stap's modules, SystemTap 4.8's modules on the same scripts, and a
# hand-written module with an empty handler (the floor).
#
#	bench/probe-cost.sh [-r RELEASE] [N [REPEATS [BOOTS]]]   (default 200000 3 3)
#	bench/probe-cost.sh [-r RELEASE] --profile [N]           (default 200)
#
# Needs this tree built (make), the VM kernel (vm/install-kernel, or
# vm/install-kernel KERNEL for -r's) and SystemTap 4.8 installed.  Takes
# about 2 minutes to build, then 3 per boot.  -r RELEASE measures on
# that kernel (default: STAP_BENCH_RELEASE, else lib.sh's); where
# SystemTap 4.8 cannot build a row for it (6.12), its cells say n/a.
#
# In a VM booted with stap-vm --icount (qemu -icount shift=0, one CPU)
# guest time counts instructions.  bench/getppid-loop calls getppid()
# N times and times the loop with CLOCK_MONOTONIC: with no probe, with
# a kprobe (or kretprobe) on __x64_sys_getppid from bench/kprobe-floor.c,
# and with each stap and SystemTap module below loaded.  (time with the
# probe - time without) / N is what one hit adds.  Every module runs in
# the same boot (bench/probe-cost-guest.sh loads them one after the
# other, stap-vm --script runs it); the loop runs once to warm up, then
# REPEATS times per module, and the whole boot is done BOOTS times: the
# spread shows how well the figures repeat.
#
# The rows are these scripts, built with each translator (-u keeps the
# empty probe, which SystemTap would otherwise drop):
#	empty	probe kprobe.function("__x64_sys_getppid") {}
#	n++	global n; probe ... { n++ }
#	map	global m; probe ... { m[pid()]++ }
#	stat	global a; probe ... { a <<< 1 }
#	ret	global n; probe kprobe.function("__x64_sys_getppid").return { n++ }
#
# SystemTap's kprobe.function needs a System.map, which Debian's kernel
# package does not ship: a first, plain boot of the VM lists
# /proc/kallsyms, which becomes the System.map of a copy of the kernel
# build directory made of symlinks.  Its addresses are those of one boot
# (KASLR moves the kernel), but SystemTap only checks that the function
# exists and registers the kprobe by name.  SystemTap's runtime is
# copied and patched at run time (lib.sh), and its staprun and stapio
# (linked dynamically) go to the guest in a tar with their libraries.
# The report is Markdown on stdout; doc/performance.md quotes it.
#
# --profile shows where the instructions go instead: one boot in which
# qemu logs every block of kernel code it translates (-d in_asm, with
# -dfilter on kernel addresses) and, switched on through the qemu
# monitor only while the loop runs N times, every block it executes
# (-d exec,nochain).  trace-profile.awk splits each getppid() call's
# kernel instructions by function.  The logs take about 1.5 GB in the
# temporary directory, and the boot about 8 minutes.

set -eu
if [ "${1:-}" = -r ]; then
	[ $# -ge 2 ] || { echo "probe-cost: -r needs a release" >&2; exit 2; }
	export STAP_BENCH_RELEASE=$2
	shift 2
fi
profile=
if [ "${1:-}" = --profile ]; then
	profile=1
	shift
fi
n=${1:-200000}
[ -n "$profile" ] && n=${1:-200}
repeats=${2:-3}
boots=${3:-3}
. "$(dirname "$0")/lib.sh"
bench_tmpdir
cd "$BENCH_TMP"
log=$BENCH_TMP/log
: > "$log"

step() { echo "probe-cost: $*" >&2; }
fail() { echo "probe-cost: $*" >&2; cat "$log" >&2; exit 1; }

# ---- the guest's System.map, for SystemTap ----

step "listing the guest kernel's symbols (one boot)"
printf 'grep " [tT] " /proc/kallsyms | grep -v "\\["\n' > kallsyms.sh
"$STAPVM" --release "$RELEASE" --script -o System.map kallsyms.sh >> "$log" 2>&1 ||
	fail "cannot list the guest's /proc/kallsyms"
build=$(readlink -f "/lib/modules/$RELEASE/build")
mkdir kbuild
for f in "$build"/* "$build"/.config "$build"/.kernelvariables; do
	[ -e "$f" ] && ln -s "$(readlink -f "$f")" "kbuild/$(basename "$f")"
done
mv System.map kbuild/
systemtap_runtime "$BENCH_TMP/runtime"
export SYSTEMTAP_DIR=$BENCH_TMP/systemtap-dir

# ---- the modules ----

p='kprobe.function("__x64_sys_getppid")'
rows="empty count map stat ret trace"
st_missing=		# rows SystemTap cannot build
declare -A script=(
	[empty]="probe $p {}"
	[count]="global n; probe $p { n++ }"
	[map]="global m; probe $p { m[pid()]++ }"
	[stat]="global a; probe $p { a <<< 1 }"
	[ret]="global n; probe $p.return { n++ }"
	[trace]="global n; probe kernel.trace(\"raw_syscalls:sys_enter\") { n++ }"
)
declare -A title=(
	[empty]='empty handler `{}`'
	[count]='`n++`'
	[map]='`m[pid()]++`'
	[stat]='`a <<< 1`'
	[ret]='`.return { n++ }`'
	[trace]='tracepoint `raw_syscalls:sys_enter { n++ }`'
)

mkdir guest
step "building the modules"
for r in $rows; do
	u=
	[ $r = empty ] && u=-u
	"$STAP" $u -r "$RELEASE" -p4 -m ours_$r -e "${script[$r]}" >> "$log" 2>&1 ||
		fail "stap cannot build: ${script[$r]}"
	if ! "$SYSTEMTAP" $u -R "$BENCH_TMP/runtime" -r "$BENCH_TMP/kbuild" -p4 \
		-m systemtap_$r -e "${script[$r]}" >> "$log" 2>&1; then
		# its tracepoint support builds against the kernel's source
		# tree; its runtime predates 6.12
		step "SystemTap cannot build the $r row: ${script[$r]} (see the report)"
		st_missing="$st_missing $r"
	fi
done
mkdir floor
cp "$BENCH/kprobe-floor.c" floor/
echo 'obj-m := kprobe-floor.o' > floor/Kbuild
make -s -C "/lib/modules/$RELEASE/build" M="$BENCH_TMP/floor" modules >> "$log" 2>&1 ||
	fail "cannot build bench/kprobe-floor.c"
# Debug info only makes the initramfs bigger; the code stays the same.
for ko in ours_*.ko systemtap_*.ko floor/kprobe-floor.ko; do
	[ -e "$ko" ] || continue	# no systemtap_*.ko: SystemTap built none
	objcopy --strip-debug "$ko" "guest/$(basename "$ko")"
done
gcc -static -O2 -Wall -o guest/getppid-loop "$BENCH/getppid-loop.c" >> "$log" 2>&1 ||
	fail "cannot build bench/getppid-loop.c (gcc -static)"

# SystemTap's staprun and stapio with their libraries, for the guest.
mkdir -p user/usr/bin user/usr/lib/systemtap user/usr/lib/x86_64-linux-gnu user/lib64
cp -L "$(dirname "$SYSTEMTAP")/staprun" user/usr/bin/
cp -L /usr/lib/systemtap/stapio user/usr/lib/systemtap/
for lib in $(ldd user/usr/bin/staprun user/usr/lib/systemtap/stapio |
	     awk '$3 ~ /^\// { print $3 }' | sort -u); do
	cp -L "$lib" user/usr/lib/x86_64-linux-gnu/
done
cp -L /lib64/ld-linux-x86-64.so.2 user/lib64/
tar -C user -cf guest/systemtap-user.tar .

# ---- the runs ----

cases="none:none: floor:insmod:kprobe-floor.ko floor_ret:insmod:kprobe-floor.ko:ret=1"
cases="$cases floor_tp:insmod:kprobe-floor.ko:tp=1 floor_ftrace:insmod:kprobe-floor.ko:ftrace=1"
# fprobes (an ftrace_ops, and rethook for the exit), where modules may use them
fprobes=
if grep -q '^CONFIG_FPROBE=y' "/lib/modules/$RELEASE/build/.config"; then
	fprobes=1
	cases="$cases floor_fprobe:insmod:kprobe-floor.ko:fprobe=1"
	cases="$cases floor_fprobe_ret:insmod:kprobe-floor.ko:fprobe=1,ret=1"
fi
for r in $rows; do
	cases="$cases ours_$r:stap:ours_$r.ko"
	case " $st_missing " in
	*" $r "*) ;;
	*) cases="$cases systemtap_$r:systemtap:systemtap_$r.ko" ;;
	esac
done
cases="$cases none:none:"
extra=()
for f in guest/*; do
	extra+=(--extra "$f")
done
# profile: one traced boot, then the breakdown (see the header)
if [ -n "$profile" ]; then
	step "profile: one traced boot, $n getppid() calls per module"
	mkfifo monitor.in monitor.out
	cat > qemu-trace <<-END
	#!/bin/sh
	exec qemu-system-x86_64 "\$@" -monitor pipe:$BENCH_TMP/monitor \\
		-d in_asm,nochain -dfilter 0xffffffff80000000..0xffffffffffffefff \\
		-D $BENCH_TMP/trace-00-base.log
	END
	chmod +x qemu-trace
	cat monitor.out > /dev/null &
	reader=$!
	k=1
	while IFS= read -r line; do
		case $line in
		"sym "*)
			echo "${line#sym }" >> symbols.txt ;;
		"trace-on "*)
			printf 'logfile %s/trace-%02d-win-%s.log\nlog in_asm,exec,nochain\n' \
				"$BENCH_TMP" $k "${line#trace-on }" > monitor.in
			k=$((k + 1)) ;;
		"trace-off "*)
			printf 'log in_asm,nochain\nlogfile %s/trace-%02d-gap.log\n' \
				"$BENCH_TMP" $k > monitor.in
			k=$((k + 1)) ;;
		esac
	done < <(STAP_VM_QEMU=$BENCH_TMP/qemu-trace "$STAPVM" --release "$RELEASE" --icount --script \
		"${extra[@]}" "$BENCH/probe-cost-guest.sh" --trace "$n" 1 $cases 2>> "$log")
	kill $reader 2> /dev/null || true
	LC_ALL=C sort -k1,1 -k3,3 symbols.txt > symbols.sorted
	machine_report
	echo "# kernel instructions per getppid() call, by function; qemu -d exec, $n calls per case"
	awk -f "$BENCH/trace-profile.awk" symbols.sorted $(ls trace-[0-9][0-9]-*.log | sort)
	exit 0
fi

for b in $(seq "$boots"); do
	step "boot $b of $boots: $n getppid() calls, $repeats times, per module"
	"$STAPVM" --release "$RELEASE" --icount --script --timeout 3000 "${extra[@]}" \
		"$BENCH/probe-cost-guest.sh" "$n" "$repeats" $cases \
		> "boot$b.txt" 2>> "$log" || fail "boot $b failed"
	grep -q ' error ' "boot$b.txt" && fail "boot $b: $(grep ' error ' "boot$b.txt")"
	cat "boot$b.txt" >> all.txt
done

# ---- the report ----

# per_hit CASE: the median of the instructions per call over all repeats
per_hit() {
	awk -v c="$1" '$1 == c && $2 == "loop" { print $4 / $3 }' all.txt | median
}

# spread CASE: (max - min) / median of all its runs in percent, and how many
spread() {
	awk -v c="$1" '$1 == c && $2 == "loop" { print $4 / $3 }' all.txt | sort -n |
	awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f (%d)", 100 * (v[NR] - v[1]) / m, NR }'
}

calc() { awk "BEGIN { printf \"$1\", $2 }"; }

none=$(per_hit none)
floor=$(per_hit floor)
floor_ret=$(per_hit floor_ret)
floor_tp=$(per_hit floor_tp)
floor_ftrace=$(per_hit floor_ftrace)
machine_report
echo "# kernel: $RELEASE"
echo "# $boots boots x $repeats runs of $n getppid() calls per module; stap-vm --icount"
echo
echo "Instructions per getppid() call (median), and what a probe adds to it:"
echo
echo "| probe | no probe | floor | ours | SystemTap | floor adds | ours adds | SystemTap adds | ours / SystemTap (added) | ours over the floor |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in $rows; do
	f=$floor
	[ $r = ret ] && f=$floor_ret
	[ $r = trace ] && f=$floor_tp
	o=$(per_hit ours_$r)
	s=$(per_hit systemtap_$r)
	if [ -z "$s" ] || [ "$s" = - ]; then
		echo "| ${title[$r]} | $(calc %.1f "$none") | $(calc %.1f "$f") | $(calc %.1f "$o") | n/a" \
		     "| $(calc %+.0f "$f - $none") | $(calc %+.0f "$o - $none") | n/a | n/a | $(calc %+.0f "$o - $f") |"
		continue
	fi
	echo "| ${title[$r]} | $(calc %.1f "$none") | $(calc %.1f "$f") | $(calc %.1f "$o") | $(calc %.1f "$s")" \
	     "| $(calc %+.0f "$f - $none") | $(calc %+.0f "$o - $none") | $(calc %+.0f "$s - $none")" \
	     "| $(calc %.2f "($o - $none) / ($s - $none)") | $(calc %+.0f "$o - $f") |"
done
echo
echo "The kprobe rows' floor is an empty kprobe; stap runs an entry probe on a"
echo "function's ftrace site as a callback of its own ftrace_ops, whose floor, an"
echo "empty callback with all registers saved (kprobe-floor.ko ftrace=1), adds"
echo "$(calc %+.0f "$floor_ftrace - $none"): over that floor, ours adds" \
     "$(calc %+.0f "$(per_hit ours_empty) - $floor_ftrace") (empty)," \
     "$(calc %+.0f "$(per_hit ours_count) - $floor_ftrace") (\`n++\`)," \
     "$(calc %+.0f "$(per_hit ours_map) - $floor_ftrace") (\`m[pid()]++\`) and" \
     "$(calc %+.0f "$(per_hit ours_stat) - $floor_ftrace") (\`a <<< 1\`)."
if [ -n "$fprobes" ]; then
	echo
	echo "This kernel lets modules use fprobes: an empty fprobe entry handler adds" \
	     "$(calc %+.0f "$(per_hit floor_fprobe) - $none"), an empty exit handler" \
	     "$(calc %+.0f "$(per_hit floor_fprobe_ret) - $none") (the kretprobe floor:" \
	     "$(calc %+.0f "$floor_ret - $none"))."
fi
echo
echo "Spread: (max - min) / median of all runs of each case, in percent (runs):"
echo
echo "| case | spread % | case | spread % |"
echo "|---|---|---|---|"
echo "| no probe | $(spread none) | floor (kprobe / kretprobe / tracepoint / ftrace) | $(spread floor) / $(spread floor_ret) / $(spread floor_tp) / $(spread floor_ftrace) |"
for r in $rows; do
	echo "| ours ${title[$r]} | $(spread ours_$r) | SystemTap ${title[$r]} | $(spread systemtap_$r) |"
done
echo
echo "What the modules printed at exit (globals never read are printed), boots counted;"
echo "a check that every call was probed:"
echo
grep -h ' out ' all.txt | sort | uniq -c | sed 's/^ */    /'
