# process("PATH").syscall and .syscall.return: each system call of the
# processes running PATH, with $syscall, $arg1..$arg6 and $return; here the
# write of the program's one line (x86_64: write is 1, exit_group 231).
# process.syscall sees every process's; other programs' are not reported.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O0 -static -no-pie -o "$WORK/prog" "$src/stap_testprog.c" || fail "cannot build the program"
P="$WORK/prog"
"$STAP" --vm -c "$P > /dev/null; echo hello > /dev/null" -e '
global writes, others
probe process("'"$P"'").syscall { if ($syscall == 1) printf("%s: write(%d, _, %d)\n", execname(), $arg1, $arg3) }
probe process("'"$P"'").syscall.return {
	if ($syscall == 1) printf("write(%d) returns %d\n", $arg1, $return)
	if (execname() != "prog") others++
}
probe process("'"$P"'").syscall { if ($syscall == 231) printf("exit_group(%d), by target: %d\n", $arg1, pid() == target()) }
probe process.syscall { if ($syscall == 1 && execname() == "prog") writes++ }
probe end { printf("process.syscall saw %d write, others %d\n", writes, others) }
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "prog: write(1, _, 19)
write(1) returns 19
exit_group(0), by target: 0
process.syscall saw 1 write, others 0"
# bad points and variables
"$STAP" -p2 -e "probe process(\"$P\").syscall { println(\$return) }" > out 2> err && fail "\$return at entry was accepted"
grep -q "semantic error: process(\"$P\").syscall has the target variables \$syscall, \$arg1 to \$arg6, not '\$return'" err ||
	fail "bad message: $(cat err)"
"$STAP" -p2 -e "probe process(\"$P\").syscall.return { println(\$arg7) }" > out 2> err && fail "\$arg7 was accepted"
grep -q "semantic error: process(\"$P\").syscall.return has the target variables \$syscall, \$arg1 to \$arg6 and \$return, not '\$arg7'" err ||
	fail "bad message: $(cat err)"
"$STAP" -p2 -e "probe process(\"$P\").begin { println(\$arg1) }" > out 2> err && fail "\$arg1 in .begin was accepted"
grep -q "semantic error: process(\"$P\").begin has no target variables" err || fail "bad message: $(cat err)"
"$STAP" -p2 -e 'probe process(0).syscall { }' > out 2> err && fail "process(0) was accepted"
grep -q "semantic error: process(0): not a process id" err || fail "bad message: $(cat err)"
"$STAP" -p2 -e 'probe process(12).syscall { printf("%d %d\n", $syscall, @defined($return)) }' > out 2> err ||
	fail "process(PID).syscall was refused: $(cat err)"
exit 0
