# kernel.trace in stap -l/-L: events by SYSTEM:EVENT or EVENT, with
# wildcards, sorted; the arguments' types from __traceiter_EVENT's debuginfo;
# no match is exit status 1 for -l, and a semantic error with similar names
# in a script.
. "$(dirname "$0")/lib.sh"
[ -e "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "skipped: no vmlinux debuginfo (vm/install-debuginfo)"; exit 0; }
"$STAP" -r "$RELEASE" -l 'kernel.trace("sched:sched_wak*")' > out 2> err || fail "-l failed: $(cat err)"
expect_file out 'kernel.trace("sched:sched_wake_idle_without_ipi")
kernel.trace("sched:sched_wakeup")
kernel.trace("sched:sched_wakeup_new")
kernel.trace("sched:sched_waking")'
"$STAP" -r "$RELEASE" -L 'kernel.trace("sched_switch")' > out 2> err || fail "-L failed: $(cat err)"
expect_file out 'kernel.trace("sched:sched_switch") $preempt:bool $prev:struct task_struct* $next:struct task_struct* $prev_state:unsigned int'
"$STAP" -r "$RELEASE" -l 'kernel.trace("nosuch:*")' > out 2> err && fail "-l of nothing exited 0"
[ -s out ] && fail "-l of nothing printed: $(cat out)"
"$STAP" -r "$RELEASE" -p2 -e 'probe kernel.trace("sched:sched_swich") { }' > out 2> err && fail "a misspelt event was accepted"
expect_file err '<input>:1:20: error: semantic error: no match for probe point kernel.trace("sched:sched_swich") (similar: sched:sched_switch, sched:sched_waking)
    probe kernel.trace("sched:sched_swich") { }
                       ^
Pass 2: analysis failed.'
"$STAP" -r "$RELEASE" -p2 -e 'probe kernel.trace("sched:sched_switch") { println($prev_stat) }' > out 2> err && fail "a misspelt argument was accepted"
grep -q "unable to find target variable '\$prev_stat' in kernel.trace(\"sched:sched_switch\") (similar: \$prev_state)" err || fail "bad message: $(cat err)"
exit 0
