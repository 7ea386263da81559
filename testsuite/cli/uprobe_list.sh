# process("PATH") in stap -L, and its errors: a misspelt function (with the
# near names), a missing program.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -g -O0 -static -no-pie -o "$WORK/stap_testprog" stap_testprog.c) ||
	fail "cannot build testsuite/uprog/stap_testprog.c"
P="$WORK/stap_testprog"
"$STAP" -L "process(\"$P\").function(\"*_*\")" > out 2> err || fail "-L failed: $(cat err)"
expect_file out "process(\"$P\").function(\"add_ints@$src/stap_testprog.c:25\") \$a:int \$b:long int
process(\"$P\").function(\"array_sum@$src/stap_testprog.c:44\") \$v:int const* \$n:int \$total:long int
process(\"$P\").function(\"point_sum@$src/stap_testprog.c:39\") \$p:struct point*
process(\"$P\").function(\"str_len@$src/stap_testprog.c:30\") \$s:char const* \$n:int"
"$STAP" -p2 -e "probe process(\"$P\").function(\"add_int\") { }" > out 2> err && fail "a misspelt function was accepted"
grep -q "semantic error: no match for probe point process(\"$P\").function(\"add_int\") (similar: add_ints" err ||
	fail "bad message: $(cat err)"
"$STAP" -p2 -e 'probe process("/no/such/program").function("main") { }' > out 2> err && fail "a missing program was accepted"
grep -q 'semantic error: process("/no/such/program"): No such file or directory' err || fail "bad message: $(cat err)"
exit 0
