# User symbols and stacks: usymname, usymdata, ubacktrace, print_ustack,
# sprint_ubacktrace and uaddr on testsuite/uprog's program built with frame
# pointers and without debuginfo, so that process("PATH").function("fact")
# is at fact's first instruction.  At the innermost fact(1) the stack is
# fact, four returns into fact and one into main; what lies below main is
# the C library's (built without frame pointers), so the script stops at
# main.  Once not position-independent (addresses known here from nm),
# once a static PIE (loaded at a random address: only symbols printed),
# and once named with -d instead of probed, seen at the program's entry.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O0 -fno-omit-frame-pointer -static -no-pie -o "$WORK/fixed" "$src/stap_testprog.c" ||
	fail "cannot build the program"
gcc -O0 -fno-omit-frame-pointer -static-pie -o "$WORK/pie" "$src/stap_testprog.c" ||
	fail "cannot build the PIE program"

# sym BIN NAME: NAME's address and size, in hex without 0x
sym() { nm -S "$1" | awk -v n="$2" '$4 == n { print $1, $2; exit }'; }
# after_call BIN FUNC CALLEE: the address of the instruction after FUNC's call to CALLEE
after_call() {
	objdump -d --no-show-raw-insn "$1" | awk -v f="<$2>:" -v c="<$3>" '
		$2 == f { in_f = 1; next }
		in_f && /^$/ { exit }
		in_f && found { sub(":", "", $1); print $1; exit }
		in_f && /call/ && index($0, c) { found = 1 }'
}
hex() { printf '%x' "$1"; }

script='
probe process(@1).function("fact") {
	if (int_arg(1) != 1)
		next
	printf("%s\n%s\n", usymname(uaddr()), usymdata(uaddr()))
	stk = ""
	for (a = tokenize(ubacktrace(), " "); a != ""; a = tokenize(" ")) {
		stk .= " " . a
		if (usymname(strtol(a, 16)) == "main")
			break
	}
	print_ustack(stk)
	st = sprint_ubacktrace()
	m = strpos(st, "main+")
	print(substr(st, 0, m + strpos(substr(st, m, strlen(st)), "\n") + 1))
	println(usymname(0), " ", usymdata(0x10))
}'

for P in "$WORK/fixed" "$WORK/pie"; do
	read -r fact fsize <<< "$(sym "$P" fact)"
	read -r main msize <<< "$(sym "$P" main)"
	rfact=$(after_call "$P" fact fact)
	rmain=$(after_call "$P" main fact)
	[ -n "$fact" ] && [ -n "$main" ] && [ -n "$rfact" ] && [ -n "$rmain" ] ||
		fail "cannot find fact and main in $P"
	fsize=$(hex $((0x$fsize)))
	msize=$(hex $((0x$msize)))
	roff=$(hex $((0x$rfact - 0x$fact)))
	moff=$(hex $((0x$rmain - 0x$main)))
	"$STAP" --vm -c "$P > /dev/null" -e "$script" "$P" > out 2> err ||
		fail "stap failed on $P: $(cat err)"
	[ -s err ] && fail "stderr: $(cat err)"
	frames="fact+0x0/0x$fsize [$P]
fact+0x$roff/0x$fsize [$P]
fact+0x$roff/0x$fsize [$P]
fact+0x$roff/0x$fsize [$P]
fact+0x$roff/0x$fsize [$P]
main+0x$moff/0x$msize [$P]"
	if [ "$P" = "$WORK/fixed" ]; then
		# link-time addresses are run-time addresses: print_ustack's hex is known
		stack=$(printf ' 0x%016x : %s\n' $((0x$fact)) "fact+0x0/0x$fsize [$P]" \
			$((0x$rfact)) "fact+0x$roff/0x$fsize [$P]" \
			$((0x$rfact)) "fact+0x$roff/0x$fsize [$P]" \
			$((0x$rfact)) "fact+0x$roff/0x$fsize [$P]" \
			$((0x$rfact)) "fact+0x$roff/0x$fsize [$P]" \
			$((0x$rmain)) "main+0x$moff/0x$msize [$P]")
	else
		# loaded elsewhere: hide the addresses (the symbols say where they are)
		sed -i 's/^ 0x[0-9a-f]\{16\} : / ADDR : /' out
		stack=$(sed 's/^/ ADDR : /' <<< "$frames")
	fi
	expect_file out "fact
fact+0x0/0x$fsize [$P]
$stack
$frames
0x0 0x10"
done

# -d: symbols of a program no probe names; at its entry (process.begin),
# _start's first instruction, whose top of stack (argc) is no return address
P="$WORK/pie"
read -r start ssize <<< "$(sym "$P" _start)"
[ -n "$start" ] || fail "no _start in $P"
"$STAP" --vm -d "$P" -c "$P > /dev/null" -e '
probe process.begin {
	if (execname() != "pie")	# not the shell that runs it
		next
	println(usymdata(uaddr()))
	printf("at uaddr: %d, one frame: %d\n", uaddr() == strtol(ubacktrace(), 16),
	       ubacktrace() !~ " ")
}' > out 2> err || fail "stap -d failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "_start+0x0/0x$(hex $((0x$ssize))) [$P]
at uaddr: 1, one frame: 1"

# misuse: -d with what has no symbols, and arguments of the wrong type
"$STAP" -p2 -d /nonexistent -e 'probe begin {}' > out 2>&1 && fail "-d /nonexistent was accepted"
expect_file out "stap: error: -d /nonexistent: No such file or directory"
echo 'not a program' > text
"$STAP" -p2 -d text -e 'probe begin {}' > out 2>&1 && fail "-d text was accepted"
expect_file out "stap: error: -d text: no symbols to take: not an ELF file"
# (here, since the message names the tapset file by its path)
"$STAP" -r "$RELEASE" -p2 -e 'probe begin { println(usymdata("0x401000")) }' > out 2>&1 &&
	fail "a string address was accepted"
sed -i 's|^/.*/tapsets/|TAPSETS/|' out
expect_file out "<input>:1:32: error: semantic error: type mismatch: parameter 'addr' of 'usymdata' is used as a string here, but it is a long
    probe begin { println(usymdata(\"0x401000\")) }
                                   ^
TAPSETS/backtrace.stp:$(grep -n '^function usymdata' "$src/../../tapsets/backtrace.stp" | cut -d: -f1):26: note: its type was first inferred here
    function usymdata:string(addr:long) %{ /* pure */
                             ^
<input>:1:32: error: semantic error: type mismatch: a string literal is used as a long here, but it is a string
    probe begin { println(usymdata(\"0x401000\")) }
                                   ^
Pass 2: analysis failed."
exit 0
