# process("PATH") on a program without debuginfo: its symbol table places
# the probes (wildcards too), the registers give the arguments and the
# return value, and $variables are refused with what to use instead.  A
# function the symbols lack is an error that says what strip left of them.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O2 -static -no-pie -o "$WORK/nodebug" "$src/stap_testprog.c" || fail "cannot build the program"
P="$WORK/nodebug"
"$STAP" -l "process(\"$P\").function(\"*_sum\")" > out 2> err || fail "-l failed: $(cat err)"
expect_file out "process(\"$P\").function(\"array_sum\")
process(\"$P\").function(\"point_sum\")"
"$STAP" -p2 -e "probe process(\"$P\").function(\"add_ints\") { println(\$a) }" > out 2> err && fail "\$a was accepted"
grep -q "cannot read '\$a': process(\"$P\").function(\"add_ints\") has no debuginfo (int_arg(N)" err ||
	fail "bad message: $(cat err)"
"$STAP" --vm -c "$P > /dev/null" -e '
global n, r
probe process("'"$P"'").function("add_ints") { if (!n++) printf("args %d %d\n", int_arg(1), long_arg(2)) }
probe process("'"$P"'").function("add_ints").return { if (returnval() == 42) r++ }
probe end { printf("calls %d, returned 42: %d\n", n, r) }
' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "args 2 40
calls 1, returned 42: 1"

# a function the symbols lack: what the program has left of them
nosuch() {	# nosuch PROGRAM WHY
	"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$1\").function(\"no_such_fn\") { }" > out 2> err &&
		fail "a missing function of $1 was accepted"
	grep -q "semantic error: no match for probe point process(\"$1\").function(\"no_such_fn\") ($1 has no DWARF debuginfo (.*); $2)\$" err ||
		fail "bad message: $(cat err)"
}
nosuch "$P" "its symbol table has no such function either"
cp "$P" stripped && strip stripped
nosuch "$WORK/stripped" "it is stripped of its symbols too"
gcc -O2 -o stripped_pie "$src/stap_testprog.c" && strip stripped_pie || fail "cannot build the PIE"
nosuch "$WORK/stripped_pie" "it is stripped: its dynamic symbols, all it has left, name no such function"
exit 0
