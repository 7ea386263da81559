# scheduler.ctxswitch's prev_task/next_task/nexttsk_state and the task of
# scheduler.wakeup and scheduler.wakeup_new, around a shell that forks a
# sleep and sleeps itself.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'sleep 0.1; sleep 0.1' -e '
global ctx, woken, forked
probe scheduler.ctxswitch {
	if (prev_pid == target() && prev_task == task_current() && next_task != prev_task &&
	    task_pid(next_task) == next_pid && nexttsk_state == 0)
		ctx = 1
}
probe scheduler.wakeup { if (task_pid == target() && task_pid(task) == task_pid) woken = 1 }
probe scheduler.wakeup_new {
	if (pid() == target() && task_pid(task) == task_pid && task_pid != target())
		forked = 1
}
probe end { printf("ctxswitch %d, wakeup %d, wakeup_new %d\n", ctx, woken, forked) }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "ctxswitch 1, wakeup 1, wakeup_new 1"
