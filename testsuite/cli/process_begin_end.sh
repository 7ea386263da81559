# process("PATH").begin and .end: each run of the program is reported when
# it starts (after its exec) and when its last thread exits, in its own
# context; process.begin sees every program; a missing program is refused.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O2 -static -no-pie -o "$WORK/prog" "$src/stap_testprog.c" || fail "cannot build the program"
P="$WORK/prog"
"$STAP" --vm -c "$P > /dev/null; $P 3 > /dev/null" -e '
global any
probe process("'"$P"'").begin { printf("begin %s, target or its child: %d\n", execname(), pid() == target() || ppid() == target()) }
probe process("'"$P"'").end { printf("end %s\n", execname()) }
probe process.begin { any++ }
probe end { printf("programs begun >= 2: %d\n", any >= 2) }
' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "begin prog, target or its child: 1
end prog
begin prog, target or its child: 1
end prog
programs begun >= 2: 1"
"$STAP" -p2 -e 'probe process("/no/such/program").begin { }' > out 2> err && fail "a missing program was accepted"
grep -q 'semantic error: process("/no/such/program"): No such file or directory' err || fail "bad message: $(cat err)"
exit 0
