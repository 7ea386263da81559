# The guru writers of user memory on testsuite/uprog's program: point_sum's
# struct (on main's stack) gets x = 100 and y's low byte 9 (3 + 4 becomes
# 109), array_sum's v[0] the bytes "AB\0" (16961) and v[1] a NUL byte
# (0), so v sums to 17031 instead of 100: the program's total 282
# becomes 17315.  str_len's literal is read-only and address 0 unmapped:
# faults; set_user_string_arg leaves an equal string alone and only
# warns on a fault.  The program's output waits until the probes' is out.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)/stap_testprog.c
gcc -g -O0 -static -no-pie -o "$WORK/prog" "$src" || fail "cannot build the program"
"$STAP" --vm -g -c "$WORK/prog > /tmp/result; sleep 1; cat /tmp/result" -e '
probe process(@1).function("point_sum") {
	set_user_int(&$p->x, 100)
	set_user_char(&$p->y, 0x109)
	label = $p->label
	set_user_pointer(&$p->label, label)
	set_user_long(&$p->label, label)
	set_user_short(&$p->label + 8, user_short(&$p->label + 8))	/* the bitfields, as they are */
	println(user_long(&$p->label) == label, " ", user_string(label))
	try { set_user_long(0, 1) } catch (e) { println(e) }
}
probe process(@1).function("array_sum") {
	set_user_string($v, "AB")
	set_user_string_n($v + 4, 0, "ignored")
}
probe process(@1).function("str_len") {
	set_user_string_arg($s, "hello, probes")
	set_user_string_arg($s, "hello, world!")
	try { set_user_string($s, "x") } catch (e) { println(e =~ "^user string copy fault at 0x0000") }
}' "$WORK/prog" > out 2> err || fail "stap failed: $(cat err)"
sed -i 's/0x[0-9a-f]*$/ADDR/' err
expect_file err "WARNING: unable to write hello, world! to ADDR"
expect_file out "1
1 origin
user long copy fault at 0x0000000000000000
stap_testprog: 17315"
exit 0
