# SPDX-License-Identifier: GPL-2.0-or-later
#
# probe-cost-guest.sh - the guest half of bench/probe-cost.sh; not run
# by hand.  stap-vm --icount --script runs it in the VM (busybox sh):
#
#	probe-cost-guest.sh [--trace] N REPEATS CASE ...
#
# Each CASE is LABEL:HOW:FILE[:ARGS], with ARGS words joined by ','.
# HOW says how to load FILE (from /extra/) around the loop program:
#	none		no module: the baseline
#	insmod		a plain module (the floor): insmod, rmmod
#	stap		a module of ours: our staprun, stopped with SIGTERM
#	systemtap	a SystemTap 4.8 module: SystemTap's staprun and
#			stapio, unpacked from /extra/systemtap-user.tar
# Once the probe is armed (wait_for_probe), the loop runs
# once to warm up, then REPEATS times; every line it prints comes out as
#	LABEL loop N NANOSECONDS
# followed by the module's own output as "LABEL out ..." lines.
#
# With --trace (bench/probe-cost.sh --profile), it first prints the
# kernel's text symbols as "sym ADDRESS TYPE NAME" lines, and for each
# case the module's too; the loop then runs once between the lines
# "trace-on LABEL" and "trace-off LABEL", with pauses for the host to
# switch qemu's instruction log on and off.

trace=
if [ "$1" = --trace ]; then
	trace=1
	shift
fi
n=$1 repeats=$2
shift 2
loop=/extra/getppid-loop
mount -t debugfs none /sys/kernel/debug 2> /dev/null

# The probe is armed once ftrace lists getppid among the functions it
# calls out from (kprobes on a function's entry are ftrace-based too;
# stap's own entry probes are plain ftrace callbacks, whose kprobe stays
# disabled); give up after 60 s.  A tracepoint probe (a *_tp or *_trace
# case) is listed nowhere: its module has registered it once insmod
# returns, or (staprun) once the module's file is there and a second has
# passed.
armed() {
	grep -q getppid /sys/kernel/debug/tracing/enabled_functions 2> /dev/null
}

wait_for_probe() {
	case $1 in
	*_tp) return 0 ;;
	*_trace)
		t=0
		until ls /proc/stap_* > /dev/null 2>&1; do
			t=$((t + 1))
			[ $t -gt 600 ] && { echo "$1 error probe never armed"; return 1; }
			sleep 0.1
		done
		sleep 1
		return 0 ;;
	esac
	t=0
	while ! armed; do
		t=$((t + 1))
		[ $t -gt 600 ] && { echo "$1 error probe never armed"; return 1; }
		sleep 0.1
	done
}

wait_for_no_probe() {
	case $1 in
	*_tp|*_trace) return 0 ;;
	esac
	t=0
	while armed || grep -q getppid /sys/kernel/debug/kprobes/list 2> /dev/null; do
		t=$((t + 1))
		[ $t -gt 600 ] && { echo "$1 error probe still armed"; return 1; }
		sleep 0.1
	done
}

# symbols [MODULE]: the kernel's text symbols, or one module's and the
# ftrace trampolines' (which live among the modules)
symbols() {
	if [ -z "$1" ]; then
		grep ' [tT] ' /proc/kallsyms | grep -v '\[' | sed 's/^/sym /'
	else
		grep -E " [tT] .*\[($1|__builtin__ftrace)\]" /proc/kallsyms |
			sed 's/^/sym /'
	fi
}

measure() {
	$loop 1000 > /dev/null
	if [ -n "$trace" ]; then
		[ -n "$2" ] && symbols "$2"
		echo "trace-on $1"
		sleep 3
		$loop $n | sed "s/^/$1 /"
		echo "trace-off $1"
		sleep 2
		return
	fi
	$loop $n $repeats | sed "s/^/$1 /"
}

[ -n "$trace" ] && symbols

# A fresh 6.12 guest runs getppid() with about 320 more instructions (650
# rather than 330) until it has been up about 3 s (6.1 does not): start
# when it has been up 5 s.  Sleeping costs little: idle, qemu's clock
# jumps to the next timer.
up=$(cut -d. -f1 /proc/uptime)
[ "$up" -lt 5 ] && sleep $((5 - up))

systemtap_setup() {
	[ -x /usr/bin/staprun ] && return
	tar -xf /extra/systemtap-user.tar -C /
}

for c in "$@"; do
	IFS=: read -r label how file args <<-END
	$c
	END
	args=$(echo "$args" | tr , ' ')
	case $how in
	none)
		measure $label
		;;
	insmod)
		insmod /extra/$file $args || { echo "$label error insmod"; continue; }
		mod=$(echo ${file%.ko} | tr - _)
		wait_for_probe $label && measure $label $mod
		rmmod $mod
		;;
	stap|systemtap)
		if [ $how = stap ]; then
			run=staprun
		else
			systemtap_setup
			run=/usr/bin/staprun
		fi
		$run /extra/$file $args > /tmp/out 2>&1 &
		pid=$!
		wait_for_probe $label && measure $label ${file%.ko}
		kill -TERM $pid
		wait $pid
		echo "$label status $?"
		sed "s/^/$label out /" /tmp/out
		;;
	esac
	wait_for_no_probe $label
done
