# process("NAME") with a bare name is the program $PATH finds, as in
# SystemTap, and every path is made absolute with its symbolic links
# resolved: process("ls") through a link to busybox is busybox itself.
. "$(dirname "$0")/lib.sh"
[ -x /bin/busybox ] || { echo "skipped: no /bin/busybox"; exit 0; }
busybox=$(readlink -f /bin/busybox)
mkdir bin
ln -s /bin/busybox bin/ls
PATH=$WORK/bin:$PATH "$STAP" -r "$RELEASE" -p2 -e 'probe process("ls").begin { }
probe process("./bin/ls").end { }' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "# probes
process(\"$busybox\").begin /* <- process(\"ls\").begin */
process(\"$busybox\").end /* <- process(\"./bin/ls\").end */"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -g -O0 -static -no-pie -o bin/stap_prog "$src/stap_testprog.c" || fail "cannot build the program"
PATH=$WORK/bin:$PATH "$STAP" -r "$RELEASE" -p2 -e 'probe process("stap_prog").function("main") { }' \
	> out 2> err || fail "stap failed: $(cat err)"
grep -qx "process(\"$WORK/bin/stap_prog\").function(\"main@.*stap_testprog.c:[0-9]*\") /\* <- process(\"stap_prog\").function(\"main\") \*/" out ||
	fail ".function through \$PATH: $(cat out)"
"$STAP" -r "$RELEASE" -p2 -e 'probe process("no_such_program_here").begin { }' > out 2> err &&
	fail "a missing program was accepted"
expect_file err '<input>:1:15: error: semantic error: process("no_such_program_here"): No such file or directory
    probe process("no_such_program_here").begin { }
                  ^
Pass 2: analysis failed.'
exit 0
