# scheduler.migrate in a 2-CPU VM: a reniced sleep pinned to CPU 0 by
# taskset (before it execs sleep) is moved to CPU 1 with taskset -p once
# it is "sleep"; its one migration is reported from 0 to 1.  The guest
# repeats this until the module has seen it (the first rounds may run
# before the probe is registered).
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m mig -e 'probe scheduler.migrate {
	if (task_execname(task) != "sleep" || task_nice(task) != 5)
		next
	printf("%s: %s pid %s, priority %d, from %d to %d\n", name, task_execname(task),
	       pid == task_tid(task) ? "ok" : "wrong", priority, cpu_from, cpu_to)
	exit()
}' > /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
staprun /extra/mig.ko > /tmp/mig 2>&1 &
pm=$!
i=0
while kill -0 $pm 2> /dev/null && [ $i -lt 60 ]; do
	sh -c 'renice -n 5 -p $$ > /dev/null && exec taskset -c 0 sleep 1' &
	p=$!
	t=0
	until grep -q '^Name:[[:space:]]*sleep$' /proc/$p/status 2> /dev/null || [ $t -gt 500 ]; do
		usleep 10000; t=$((t + 1))
	done
	taskset -p -c 1 $p > /dev/null
	wait $p
	i=$((i + 1))
done
wait $pm
cat /tmp/mig
END
"$vm" --smp 2 --script --extra mig.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "migrate: sleep pid ok, priority 125, from 0 to 1"
exit 0
