# Probes in shared libraries, in the VM: testsuite/uprog's stap_shlib_main
# needs our libstap_shlib.so (through its RUNPATH) and dlopens
# libstap_plugin.so (which only -d brings into the guest); all built -O2,
# without frame pointers.  process("MAIN").library("libstap_shlib.so")
# (.function and .statement) fires in MAIN's processes only,
# process("LIB") in every process using LIB (here also a copy of MAIN,
# which -d brings); a probe in the program called back from the library
# has the library on its ubacktrace(); the library's static data reads
# where it is loaded; a function by a name only its symbol table has (an
# alias), and $$parms with a double; the dlopen'ed library's function and
# its return by path; the C library's printf by path, with its caller.
# Then C++ (stap_counter.cc): a member function by its qualified name,
# with $this's members, and a function of libstdc++ (no debuginfo: by its
# symbol), whose backtrace goes through libstdc++'s .eh_frame to main.
# Misnamed libraries are errors.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -g -O2 -fPIC -shared -o "$WORK/libstap_shlib.so" stap_shlib.c &&
	gcc -g -O2 -fPIC -shared -o "$WORK/libstap_plugin.so" stap_plugin.c &&
	gcc -g -O2 -o "$WORK/stap_shlib_main" stap_shlib_main.c -L"$WORK" -lstap_shlib \
		-Wl,-rpath,'$ORIGIN' &&
	g++ -g -o "$WORK/stap_counter" stap_counter.cc) || fail "cannot build the programs"
MAIN="$WORK/stap_shlib_main"
LIB="$WORK/libstap_shlib.so"
CXX="$WORK/stap_counter"
cp "$MAIN" "$WORK/other_main"	# the same program in another file: not MAIN's processes
STDCXX=$(ldd "$CXX" | awk '/libstdc\+\+/ { print $3 }')
[ -f "$STDCXX" ] || fail "no libstdc++ for $CXX"
LIBC=$(ldd "$MAIN" | awk '/libc\.so/ { print $3 }')
[ -f "$LIBC" ] || fail "no C library for $MAIN"
apply_line=$(grep -n 'return fn(v)' "$src/stap_shlib.c" | cut -d: -f1)	# after calls++

# a library that MAIN does not need, and one that does not exist
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$MAIN\").library(\"libnothere.so\").function(\"f\") {}" \
	> out 2> err && fail "a missing library was accepted"
expect_file err "<input>:1:$((${#MAIN} + 27)): error: semantic error: library(\"libnothere.so\") of process(\"$MAIN\"): the program needs no such library, and its loader finds none by that name
    probe process(\"$MAIN\").library(\"libnothere.so\").function(\"f\") {}
$(printf "%$((${#MAIN} + 30))s")^
Pass 2: analysis failed."
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$MAIN\").library(\"/no/lib.so\").function(\"f\") {}" \
	> out 2> err && fail "a missing library path was accepted"
grep -q "semantic error: library(\"/no/lib.so\") of process(\"$MAIN\"): No such file or directory" err ||
	fail "bad message: $(cat err)"

cat > lib.stp <<EOF
probe process("$MAIN").library("libstap_shlib.so").function("shlib_square") {
	printf("%s: square(%d)\n", execname(), \$x)
}
probe process("$LIB").function("shlib_cube"), process("$LIB").function("shlib_half") {
	printf("%s: %s %s\n", execname(), ppfunc(), \$\$parms)
}
probe process("$LIB").function("shlib_apply").return {
	printf("%s: apply(%d) = %d, calls %d\n", execname(), \$v, \$return, @var("calls"))
}
probe process("$MAIN").library("libstap_shlib.so").statement("shlib_apply@stap_shlib.c:$apply_line") {
	printf("%s: apply's line $apply_line: v=%d, calls %d\n", execname(), \$v, @var("calls"))
}
probe process("$WORK/libstap_plugin.so").function("plugin_triple") {
	printf("%s: triple(%d)\n", execname(), \$n)
}
probe process("$WORK/libstap_plugin.so").function("plugin_triple").return {
	printf("%s: triple -> %d\n", execname(), \$return)
}
probe process("$LIBC").function("printf") {
	if (isinstr(execname(), "main"))	/* not the guest's own programs */
		printf("%s: printf(%s) from %s\n", execname(), user_string_quoted(pointer_arg(1)),
		       usymname(ustack(1)))
}
function stack_to_main:string() {
	stk = ""
	for (a = tokenize(ubacktrace(), " "); a != ""; a = tokenize(" ")) {
		stk .= " " . usymname(strtol(a, 16))
		if (usymname(strtol(a, 16)) == "main")
			break
	}
	return stk
}
probe process("$MAIN").function("twice") {
	printf("%s: twice(%d), stack%s\n", execname(), \$v, stack_to_main())
}
probe process("$CXX").function("fruit::Counter::add") {
	printf("Counter::add(%d) to %s at %d\n", \$by,
	       user_string(\$this->name_->_M_dataplus->_M_p), \$this->total_)
}
probe process("$CXX").function("fruit::Counter::add").return {
	printf("add -> %d\n", \$return)
}
probe process("$STDCXX").function("_ZNSolsEi") {
	printf("ostream << %d, stack%s\n", int_arg(2), stack_to_main())
}
EOF
"$STAP" --vm -d "$WORK/libstap_plugin.so" -d "$WORK/other_main" -c "$MAIN; $WORK/other_main; $CXX" lib.stp > out 2> err ||
	fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
grep -E '^(sum|apples|no plugin)' out > programs
grep -vE '^(sum|apples|no plugin)' out > probes
expect_file programs "sum 39
sum 39
apples 7"
expect_file probes "stap_shlib_main: square(1)
stap_shlib_main: apply's line $apply_line: v=1, calls 1
stap_shlib_main: twice(1), stack twice shlib_apply main
stap_shlib_main: apply(1) = 3, calls 1
stap_shlib_main: square(2)
stap_shlib_main: apply's line $apply_line: v=2, calls 2
stap_shlib_main: twice(2), stack twice shlib_apply main
stap_shlib_main: apply(2) = 6, calls 2
stap_shlib_main: shlib_cube x=0x2
stap_shlib_main: shlib_half v=? n=0x1
stap_shlib_main: triple(5)
stap_shlib_main: triple -> 15
stap_shlib_main: printf(\"sum %ld\\n\") from main
other_main: apply(1) = 3, calls 1
other_main: apply(2) = 6, calls 2
other_main: shlib_cube x=0x2
other_main: shlib_half v=? n=0x1
other_main: triple(5)
other_main: triple -> 15
other_main: printf(\"sum %ld\\n\") from main
Counter::add(3) to apples at 0
add -> 3
Counter::add(4) to apples at 3
add -> 7
Counter::add(0) to apples at 7
add -> 7
ostream << 7, stack _ZNSolsEi main"
exit 0
