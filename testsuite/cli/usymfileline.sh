# User lines of testsuite/uprog's program (static, not PIE, -g -O0) at
# the innermost fact(1): the probe (after fact's prologue, as DWARF says)
# and the return addresses into fact are of the line of the recursive
# call, the one into main (five frames down) of main's call; fact's first
# instruction (its address from nm, as $2) is of the line of its opening
# brace, as gcc has it.  umodname names the program; print_usyms and
# sprint_usyms show ucallers(1) as symbols, print_ubacktrace_brief each
# frame as "name+0xoffset", print_ubacktrace_fileline with " at
# FILE:LINE" (a return address's line is its call's).  The same program
# without -g has symbols but no lines: the address in hex.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)/stap_testprog.c
gcc -g -O0 -fno-omit-frame-pointer -static -no-pie -o "$WORK/prog" "$src" ||
	fail "cannot build the program"
gcc -g0 -O0 -fno-omit-frame-pointer -static -no-pie -o "$WORK/nolines" "$src" ||
	fail "cannot build the program without -g"
decl=$(grep -n 'int fact(int n)$' "$src" | cut -d: -f1)
brace=$((decl + 1))
body=$((decl + 2))
grep -q 'return n <= 1 ? 1 : n \* fact(n - 1);' <(sed -n "${body}p" "$src") ||
	fail "fact's body is not on line $body of $src"
call=$(grep -n 'sink += fact(5);' "$src" | cut -d: -f1)
fact=$(nm "$WORK/prog" | awk '$3 == "fact" { print "0x" $1 }')
[ -n "$call" ] && [ -n "$fact" ] || fail "no call of fact in main, or no fact"
script='
probe process(@1).function("fact") {
	if (int_arg(1) != 1)
		next
	println(usymfileline(uaddr()))
	println(usymfile(uaddr()), " ", usymline(uaddr()))
	println(usymline(ustack(1) - 1), " ", usymline(ustack(5) - 1), " ", usymline($2), " ",
		umodname(uaddr()) == @1)
	print_usyms(ucallers(1))
	print(sprint_usyms(ucallers(1)))
	println(usymfileline(0), " ", usymline(4096))
	try { println(umodname(0)) } catch (e) { println(e) }
	println("brief:")
	print_ubacktrace_brief()
	println("fileline:")
	print_ubacktrace_fileline()
}'
"$STAP" --vm -c "$WORK/prog > /dev/null" -e "$script" "$WORK/prog" "$fact" > out 2> err ||
	fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
# without addresses and offsets; the backtraces down to main (below it
# the C library's frames)
sed -i -e 's/0x[0-9a-f]* : \([a-z]*\)+0x[0-9a-f]*\//ADDR : \1+OFF\//' \
	-e 's/^\([a-z]*\)+0x[0-9a-f]*$/\1+OFF/' out
sed -i -e '/^main+OFF$/,/^fileline:$/{/^main+OFF$/b;/^fileline:$/b;d}' \
	-e '/^ ADDR : main+OFF/q' out
fsize=$(nm -S "$WORK/prog" | awk '$4 == "fact" { print $2 }' | sed 's/^0*//')
msize=$(nm -S "$WORK/prog" | awk '$4 == "main" { print $2 }' | sed 's/^0*//')
expect_file out "$src:$body
$src $body
$body $call $brace 1
 ADDR : fact+OFF/0x$fsize [$WORK/prog]
 ADDR : fact+OFF/0x$fsize [$WORK/prog]
 ADDR : fact+OFF/0x$fsize [$WORK/prog]
 ADDR : fact+OFF/0x$fsize [$WORK/prog]
0x0 0x1000
module cannot be found
brief:
fact+OFF
fact+OFF
fact+OFF
fact+OFF
fact+OFF
main+OFF
fileline:
 ADDR : fact+OFF/0x$fsize at $src:$body [$WORK/prog]
 ADDR : fact+OFF/0x$fsize at $src:$body [$WORK/prog]
 ADDR : fact+OFF/0x$fsize at $src:$body [$WORK/prog]
 ADDR : fact+OFF/0x$fsize at $src:$body [$WORK/prog]
 ADDR : fact+OFF/0x$fsize at $src:$body [$WORK/prog]
 ADDR : main+OFF/0x$msize at $src:$call [$WORK/prog]"

"$STAP" --vm -c "$WORK/nolines > /dev/null" -e '
probe process(@1).function("fact") {
	if (int_arg(1) == 1)
		println(usymfileline(uaddr()) == sprintf("0x%x", uaddr()), " ", usymname(uaddr()))
}' "$WORK/nolines" > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "1 fact"
exit 0
