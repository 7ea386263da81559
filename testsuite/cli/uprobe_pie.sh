# process("PATH") probes on programs built the way users build them, from
# testsuite/uprog/stap_account.c: plain gcc -g (on Debian a dynamically
# linked PIE, which stap --vm runs in the guest with its loader and C
# library), gcc -O1 and -O2, a static PIE, gcc -fomit-frame-pointer, clang
# and clang -O2, probed by relative paths ("./pie", -c "./pie 2").  In
# each: $vars after the prologue (a one-line function's too), a struct
# through a pointer, a static local and a global (@var) wherever the PIE
# was loaded, @entry and a parameter the function changes in .return
# probes, and ubacktrace() back to main (by frame pointers or .eh_frame,
# through a .return probe's trampoline).  The PIE also gets .statement
# probes: in a loop, and at a function's first line, before the prologue
# has stored its parameters (unavailable there, not wrong).  A PIE built
# without -g is probed by its symbol table, its arguments and return
# value read from the registers.  -x with --vm
# is refused: the guest cannot see the host's processes.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
build() { (cd "$src" && "$@" stap_account.c) || fail "cannot build: $*"; }
build gcc -g -o "$WORK/pie"
build gcc -g -O1 -o "$WORK/pie_o1"
build gcc -g -O2 -o "$WORK/pie_o2"
build gcc -g -static-pie -o "$WORK/static_pie"
build gcc -g -fomit-frame-pointer -o "$WORK/pie_nofp"
build clang -g -o "$WORK/pie_clang"
build clang -g -O2 -o "$WORK/pie_clang_o2"
build gcc -O2 -o "$WORK/pie_nodebug"
progs="pie pie_o1 pie_o2 static_pie pie_nofp pie_clang pie_clang_o2"
P="$WORK/pie"
readelf -h "$P" | grep -q 'DYN (Position-Independent' && readelf -l "$P" | grep -q 'interpreter' ||
	fail "gcc -g did not make a dynamically linked PIE"

# the lines of the source these probes name
line() { grep -n "$1" "$src/stap_account.c" | head -n 1 | cut -d: -f1; }
open=$(($(line '^KEEP long deposit') + 1))	# deposit's "{": its first line-table row
loop=$(line 'steps++')

# before the prologue: no value rather than a wrong one
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").statement(\"deposit@stap_account.c:$open\") { println(\$amount) }" \
	> out 2> err && fail "\$amount before the prologue was accepted"
grep -q "semantic error: cannot read '\$amount' at process(\"$P\").statement(\"deposit@.*stap_account.c:$open\"): the function's prologue stores it in its frame slot after this address (--skip-badvars reads it as 0)" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 --skip-badvars -e "probe process(\"$P\").statement(\"deposit@stap_account.c:$open\") { println(\$amount) }" \
	> out 2> err || fail "--skip-badvars failed: $(cat err)"

"$STAP" --vm -x 1 -e 'probe begin { exit() }' > out 2>&1 && fail "-x with --vm was accepted"
grep -q "^stap: error: -x 1 names a process of this machine, which the .* cannot see.*-c CMD" out ||
	fail "bad message: $(cat out)"

# all FUNC [SUFFIX]: that point in each program (named relative to this
# directory, as a user in it would), for one probe
all() {
	local p s=
	for p in $progs; do s="$s${s:+, }process(\"./$p\").function(\"$1\")${2:-}"; done
	printf '%s' "$s"
}
cat > pie.stp <<EOF
probe $(all add) {
	printf("%s add(%d, %d)", execname(), \$a, \$b)
	if (\$a == 1) {
		stk = ""
		for (a = tokenize(ubacktrace(), " "); a != ""; a = tokenize(" ")) {
			stk .= " " . usymname(strtol(a, 16))
			if (usymname(strtol(a, 16)) == "main")
				break
		}
		print(" stack:" . stk)
	}
	println("")
}
probe $(all deposit) {
	printf("%s deposit %s %d %d deposits=%d %s\n", execname(), user_string(\$acct->owner),
	       \$acct->balance, \$amount, \$deposits, \$acct\$)
}
probe $(all deposit .return) {
	printf("%s deposit -> %d: %d at entry + %d, total %d\n", execname(), \$return,
	       @entry(\$acct->balance), \$amount, @var("total_calls"))
}
probe $(all countdown .return) {
	printf("%s countdown(%d) = %d\n", execname(), \$n, \$return)
}
probe process("./pie").statement("deposit@stap_account.c:$open") {
	printf("%s deposit's first line: amount %s\n", execname(),
	       @defined(\$amount) ? "known" : "unavailable")
}
probe process("./pie").statement("countdown@stap_account.c:$loop") {
	printf("%s loop n=%d steps=%d\n", execname(), \$n, \$steps)
}
probe process("./pie_nodebug").function("deposit") {
	printf("%s deposit(%d) from %s\n", execname(), long_arg(2), usymname(ustack(1)))
}
probe process("./pie_nodebug").function("countdown").return {
	printf("%s countdown -> %d\n", execname(), returnval())
}
EOF
cmd="./pie 2"	# made absolute on this machine, so found in the guest
for p in $progs pie_nodebug; do [ "$p" = pie ] || cmd="$cmd; $WORK/$p"; done
"$STAP" --vm -c "$cmd" pie.stp > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
# the programs' own output and the probes' come in their own order each
grep '^alice' out > programs
grep -v '^alice' out > probes
round() {	# round NAME BALANCE_BEFORE DEPOSITS_BEFORE
	local after=$(($2 + 25)) total=$(($3 + 1))
	echo "$1 deposit alice $2 25 deposits=$3 {.owner=\"alice\", .balance=$2}"
	echo "$1 deposit -> $after: $2 at entry + 25, total $total"
	echo "$1 add(2, -1)"
	echo "$1 add(1, -1) stack: add countdown main"
	echo "$1 countdown(2) = 2"
}
{
	# the PIE: its statement probes too, in two rounds
	for r in 0 1; do
		echo "pie deposit's first line: amount unavailable"
		round pie $((100 + 25 * r)) $r | sed '4i pie loop n=1 steps=0' | sed '6i pie loop n=0 steps=1'
	done
	for p in $progs; do [ "$p" = pie ] || round "$p" 100 0; done
	echo "pie_nodebug deposit(25) from main"
	echo "pie_nodebug countdown -> 2"
} > expected_probes
expect_file probes "$(cat expected_probes)"
expect_file programs "alice opens with 100
alice has 150 after 2 calls
$(for p in $progs pie_nodebug; do [ "$p" = pie ] || printf 'alice opens with 100\nalice has 125 after 1 calls\n'; done)"
exit 0
