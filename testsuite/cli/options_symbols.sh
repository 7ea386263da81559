# Symbols for the module: --ldd adds the shared libraries (and the loader)
# of the programs probed and of -d's, as ldd finds them; without it they
# are not there.  -d kernel, -d MODULE and --all-modules are accepted: the
# kernel's and every loaded module's symbols come from kallsyms at run time.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -g -O0 -o dyn "$src/stap_testprog.c" || fail "cannot build the program"
libc=$(readlink -f "$(ldd dyn | sed -n 's/.*libc\.so\.6 => \([^ ]*\) .*/\1/p')")
loader=$(readlink -f "$(ldd dyn | sed -n 's/^[[:space:]]*\(\/[^ ]*ld-linux[^ ]*\) .*/\1/p')")
[ -f "$libc" ] && [ -f "$loader" ] || fail "ldd found no libc or loader: $(ldd dyn)"
tables() { grep -o '\.path = "[^"]*", \.syms' out | sed 's/\.path = "\(.*\)", \.syms/\1/'; }
script='probe process("./dyn").begin { println(usymname(uaddr())) }'

"$STAP" -r "$RELEASE" -p3 -e "$script" > out 2> err || fail "stap -p3: $(cat err)"
expect_file <(tables) "$WORK/dyn"
"$STAP" -r "$RELEASE" -p3 --ldd -e "$script" > out 2> err || fail "stap -p3 --ldd: $(cat err)"
expect_file <(tables) "$WORK/dyn
$libc
$loader"
"$STAP" -r "$RELEASE" -p3 -d ./dyn --ldd -e 'probe begin { }' > out 2> err || fail "-d --ldd: $(cat err)"
expect_file <(tables) "$WORK/dyn
$libc
$loader"
"$STAP" -r "$RELEASE" -p3 -d kernel -d ext4 --all-modules -e 'probe begin { }' > out 2> err ||
	fail "-d kernel -d ext4 --all-modules: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
exit 0
