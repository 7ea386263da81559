# task_open_file_handles reads a task's open_fds bitmap a word at a time,
# as many words as max_fds, a number from kernel memory: each read counts
# against MAXACTION, so a huge table (here the shell's, grown past fd
# 4500 to 8192 slots: 128 words) ends in "MAXACTION exceeded" with
# -DMAXACTION=50, and is counted in full with the default 1000.
. "$(dirname "$0")/lib.sh"
script='global ticks
probe timer.ms(50) {
	t = pid2task(target())
	if (t && task_max_file_handles(t) > 4096) {
		printf("open: %d\n", task_open_file_handles(t))
		exit()
	}
	if (++ticks > 200)
		exit()
}'
cmd='ulimit -n 5000; exec 4500< /dev/null; sleep 3'
"$STAP" --vm -c "$cmd" -e "$script" > out 2> err || fail "stap failed: $(cat err)"
expect_file out "open: 4"
[ -s err ] && fail "stderr: $(cat err)"
"$STAP" --vm -DMAXACTION=50 -c "$cmd" -e "$script" > out 2> err && fail "stap -DMAXACTION=50 exited 0"
[ -s out ] && fail "output: $(cat out)"
expect_file err "ERROR: MAXACTION exceeded near identifier 'task_open_file_handles' at <input>:5:24 in probe timer.ms(50)
WARNING: Number of errors: 1, skipped probes: 0"
exit 0
