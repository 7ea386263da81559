# signal.syskill and signal.handle on a shell that traps SIGUSR1 and sends
# it to itself, then probes itself with signal 0; signal.systkill and
# signal.systgkill (busybox has no command to call them) are compiled.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'sh -c "trap \"echo got\" USR1; kill -USR1 \$\$; kill -0 \$\$; echo done" > /dev/null' -e '
probe signal.syskill { if (pid() == target()) printf("%s %s to self %d\n", name, sig_name, sig_pid == pid()) }
probe signal.handle { if (pid() == target()) printf("%s %s code=%d handler=%d\n", name, sig_name, sig_code, sa_handler > 1) }
probe signal.systkill, signal.systgkill { if (pid() == target()) printf("%s %s\n", name, sig_name) }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "kill SIGUSR1 to self 1
handle SIGUSR1 code=0 handler=1
kill 0 to self 1"
