#!/bin/sh
# /init of the stap-vm guest (doc/vm.md).  stap-vm.c carries it as a C
# string (vm/guest-init.h, made from this file by make) and puts it in
# the initramfs; the comment above guest_init there describes what /init
# and the host say to each other.  "stap-vm-mark: " is MARK there.
export PATH=/bin HOME=/
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /tmp stays on the root tmpfs: --copy may have put programs there
for n in 1 2 3; do stty -F /dev/ttyS$n raw -echo; done
echo 7 > /proc/sys/kernel/printk
echo none > /tmp/current
read -r MODE < /mode
# --stdin: what the host sends on ttyS1 is staprun's stdin; opened now,
# before the host hears of the module, so that no byte arrives unread
[ -e /stdin ] && exec 4< /dev/ttyS1
if [ $MODE = live ]; then to_host=/dev/ttyS3; else to_host=/dev/ttyS1; fi

mark() { echo "<5>stap-vm-mark: $*" > /dev/kmsg; }

# The host's commands on ttyS3, for module i: "INT i" sends SIGINT
# to stapio (staprun may still be loading the module: wait for
# stapio a while); "KILL i" kills stapio, or staprun if it is
# stuck loading, and then staprun if it is still there.
current() { [ "$(cat /tmp/current)" = "$1" ]; }
interrupt() {
	n=0
	while [ $n -lt 50 ] && current $1; do
		p=$(pidof stapio) && { kill -INT $p; return; }
		sleep 0.1
		n=$((n + 1))
	done
}
terminate() {
	p=$(pidof stapio) || p=$(pidof staprun)
	[ -n "$p" ] && current $1 && kill -KILL $p
	sleep 2
	p=$(pidof staprun) && current $1 && kill -KILL $p
}
# The listener opens ttyS3 and says so before /init touches ttyS1:
# ttyS1 and ttyS3 share IRQ 3, and this kernel's 8250 driver frees
# the IRQ's port list on one port's last close while an open of the
# other may be about to lock it (a CPU then spins on freed memory).
# With ttyS3 held open from here on, the list is never freed.
listen() {
	while read -r cmd i; do
		current "$i" || continue
		case $cmd in
		INT) interrupt $i & ;;
		KILL) terminate $i & ;;
		esac
	done
}
listen_on_ttyS3() {
	{ : > /tmp/listening; listen; } < /dev/ttyS3
}

# A module that staprun could not remove (it was killed).
unload() {
	grep -q "^$1 " /proc/modules || return 0
	mark "removing $1"
	rmmod "$1" || rmmod -f "$1"
}

# send INDEX out|err FILE: one framed file on ttyS1.
send() {
	n=$(wc -c < "$3")
	{ echo "F $1 $2 $n"; cat "$3"; } > /dev/ttyS1
}

# run INDEX MODULE_NAME FILE.ko [name=value ...], in /m/INDEX
run() {
	i=$1 name=$2
	shift 2
	cd /m/$i
	echo $i > /tmp/current
	mark "begin $i"
	echo "B $i" > $to_host
	# /extra/NAME.trigger (stap-vm --extra): sourced every 0.2 s while
	# the module runs, to make the probed code run (tests)
	trig=
	if [ -f /extra/$name.trigger ]; then
		( while :; do . /extra/$name.trigger; usleep 200000; done ) \
			> /dev/null 2>&1 &
		trig=$!
	fi
	if [ $MODE = live ] && [ -e /stdin ]; then
		$runner "$@" <&4 > /dev/ttyS1 2> /dev/ttyS2
	elif [ $MODE = live ]; then
		$runner "$@" > /dev/ttyS1 2> /dev/ttyS2
	else
		$runner "$@" > /tmp/out 2> /tmp/err
	fi
	st=$?
	[ -n "$trig" ] && kill $trig
	echo none > /tmp/current
	cd /
	unload $name
	mark "end $i $st"
	if [ $MODE = live ]; then
		end="E $i $st"	# sent when the listener is gone
	else
		send $i out /tmp/out
		send $i err /tmp/err
		echo "E $i $st" > /dev/ttyS1
		rm -f /tmp/out /tmp/err
	fi
}
runner=staprun

# script INDEX NAME FILE [ARG ...]: a --script job, run as a module is
# (the same output, status and signals: INT and KILL go to stapio).
script() {
	runner=sh
	run "$@"
	runner=staprun
}

if [ $MODE = shell ]; then
	echo 'stap-vm: debug shell; /plan.sh lists the run commands'
	echo 'stap-vm: (modules in /m, --extra files in /extra); exit to power off'
	setsid cttyhack sh
	poweroff -f
fi
listen_on_ttyS3 &
listener=$!
n=0
while [ ! -e /tmp/listening ] && [ $n -lt 6000 ]; do usleep 10000; n=$((n + 1)); done
echo R > $to_host
. /plan.sh
if [ $MODE = live ]; then
	# The listener holds ttyS3 open: without it, closing ttyS3 drains.
	kill $listener
	wait $listener 2> /dev/null
	{ echo "$end"; echo D; } > /dev/ttyS3
else
	echo D > /dev/ttyS1
fi
poweroff -f
