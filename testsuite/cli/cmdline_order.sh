# The command line as SystemTap parses it: options anywhere before "--",
# after the script file and between its arguments too; the words after the
# script are its arguments; "--" ends the options; -e with options after
# it; bundled short options; -E adds a script; an unknown option or a
# missing argument is one line naming it; -l, -L and -e exclude each other.
. "$(dirname "$0")/lib.sh"
R=$RELEASE
printf 'probe begin { printf("%%s %%s %%d\\n", @1, @2, $#) }\n' > args.stp

"$STAP" args.stp -p1 one -r "$R" two > out 2> err || fail "options after the script: $(cat err)"
expect_file out '# file args.stp
probe begin {
  printf("%s %s %d\n", "one", "two", 2)
}'
[ -s err ] && fail "stderr: $(cat err)"

"$STAP" -p1 -r "$R" -- args.stp -x -v > out 2> err || fail "--: $(cat err)"
expect_file out '# file args.stp
probe begin {
  printf("%s %s %d\n", "-x", "-v", 2)
}'

"$STAP" -e 'probe begin { println(@1) }' first -p1 -r "$R" > out 2> err || fail "-e then options: $(cat err)"
expect_file out '# file <input>
probe begin {
  println("first")
}'

# -g and -u and -p2 in one word: guru mode lets the script's embedded C through
"$STAP" -gup2 -r "$R" -e 'function f() %{ /* c */ %} probe begin { f() }' > out 2> err ||
	fail "-gup2: $(cat err)"
grep -qx 'f:unknown ()' out || fail "-gup2 did not elaborate: $(cat out)"

"$STAP" -p1 -r "$R" -e 'probe begin { }' -E 'probe end { x = 1 }' > out 2> err || fail "-E: $(cat err)"
expect_file out '# file <input>
probe begin {
}
# file <input1>
probe end {
  x = 1
}'

# one line for a wrong option, naming it and stap --help
check_error() {	# EXPECTED-STDERR STAP-ARGS...
	local expected=$1
	shift
	"$STAP" "$@" > out 2> err && fail "stap $* succeeded"
	expect_file err "$expected"
}
check_error "stap: error: unrecognized option '--bogus' (see stap --help)" \
	-p2 -e 'probe begin { }' --bogus
check_error "stap: error: unrecognized option '--bogus' (see stap --help)" \
	-p2 -e 'probe begin { }' --bogus=3
check_error "stap: error: unrecognized option '-Z' (see stap --help)" -p2 -gZ -e 'probe begin { }'
check_error "stap: error: unrecognized option '-Z' (see stap --help)" --vm -Zg -e 'probe begin { }'
check_error "stap: error: option '-T' requires an argument (see stap --help)" \
	-p2 -e 'probe begin { }' -T
check_error "stap: error: option '--vm-timeout' requires an argument (see stap --help)" \
	-p2 -e 'probe begin { }' --vm-timeout
check_error "stap: error: option '--vm' takes no argument (see stap --help)" --vm=1 -e 'probe begin { }'
check_error "stap: error: option '--dump' is ambiguous: --dump-probe-types, --dump-probe-aliases, --dump-functions (see stap --help)" \
	--dump
check_error "stap: error: -p takes a pass number from 1 to 5, not '6'" -p6 args.stp
check_error "stap: error: no script given: give a script FILE, or -e SCRIPT (see stap --help)" -p2
check_error "stap: error: -e cannot be given with -l, -L or --dump-*: they list, they run no script" \
	-l 'begin' -e 'probe end { }'
check_error "stap: error: only one of -l, -L and --dump-* may be given" -l begin -L end
check_error "stap: error: -c and -x cannot be used together: -c CMD makes its own target" \
	-p2 -x 1 -e 'probe begin { }' -c true

# -l and -L take options after them too
"$STAP" -l 'begin*' -r "$R" > out 2> err || fail "-l with -r after it: $(cat err)"
expect_file out "begin"
exit 0
