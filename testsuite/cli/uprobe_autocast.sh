# Autocast in process("PATH").function probes (testsuite/uprog, -g -O0):
# locals from $p and $v carry their types, so p->x and (v)[i] read the
# process's memory; v[i] on a local would be an array, (v)[i] is not;
# @defined of a member that is not there is 0.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -g -O0 -static -no-pie -o "$WORK/stap_testprog" stap_testprog.c) ||
	fail "cannot build testsuite/uprog/stap_testprog.c"
P="$WORK/stap_testprog"
"$STAP" --vm -c "$P > /dev/null" -e '
probe process("'"$P"'").function("point_sum") {
	p = $p
	label = p->label
	printf("point %d,%d %s flags=%d mode=%d\n", p->x, p->y, user_string(label), p->flags, p->mode)
	printf("@defined %d %d, first char %d\n", @defined(p->y), @defined(p->z), (label)[0])
}
probe process("'"$P"'").function("array_sum") {
	v = $v
	printf("array %d %d, n=%d\n", (v)[0], (v)[3], $n)
}
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "point 3,4 origin flags=5 mode=17
@defined 1 0, first char 111
array 10 40, n=4"
exit 0
