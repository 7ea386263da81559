# kprocess.create, .start, .exec and .exec_complete (a success and an
# ENOENT) and
# .release around a shell that runs two programs, one of them missing.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -e '
probe kprocess.create {
	if (pid() == target())
		printf("create: child %d tid %d, new %d\n", new_pid == new_tid, task_pid(task) == new_pid,
		       new_pid != pid())
}
probe kprocess.start {
	if (ppid() == target())
		printf("start: in the child %d\n", pid() != target())
}
probe kprocess.exec {
	if (ppid() == target())
		printf("exec: %s %s args=%s as %s\n", name, filename, args, execname())
}
probe kprocess.exec_complete {
	if (ppid() == target())
		printf("exec_complete: %s errno=%d success=%d as %s\n", name, errno, success, execname())
}
probe kprocess.release {
	if (pid() == target())
		printf("release: by the parent %d, pid %d\n", released_pid == released_tid,
		       pid == released_pid)
}' -c 'sh -c "/bin/true; /no/such/program; exit 0"' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "create: child 1 tid 1, new 1
start: in the child 1
exec: execve \"/bin/true\" args=[\"/bin/true\"] as sh
exec_complete: execve errno=0 success=1 as true
release: by the parent 1, pid 1
create: child 1 tid 1, new 1
start: in the child 1
exec: execve \"/no/such/program\" args=[\"/no/such/program\"] as sh
exec_complete: execve errno=-2 success=0 as sh
release: by the parent 1, pid 1"
