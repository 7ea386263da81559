# The options that shape the module: -B reaches kbuild's make, --modinfo
# adds a MODULE_INFO, --tmpdir names the temporary directory (emptied at
# the end, kept with -k), -R the runtime, --suppress-time-limits (with -g)
# lifts the limits, --compatible sets systemtap_v, --no-global-var-display
# drops the end probe that prints unread globals, -I DIR after the script,
# --example finds an example, --color paints messages, --rlimit-* limits
# stap, --save-uprobes has nothing to save.
. "$(dirname "$0")/lib.sh"
R=$RELEASE
src=$(cd "$(dirname "$0")/../.." && pwd)

# -B KCFLAGS=... defines a macro only if it reaches the compiler
"$STAP" -r "$R" -g -p4 -m optmod --tmpdir="$WORK/td" -k -B KCFLAGS=-DSTAP_B_WORKS \
	--modinfo stap_test=yes -e '%{
#ifndef STAP_B_WORKS
#error -B did not reach the compiler
#endif
%} probe begin { exit() }' > out 2> err || fail "-B/--modinfo/--tmpdir build: $(cat err)"
expect_file out "optmod.ko"
expect_file err "Keeping temporary directory \"$WORK/td\""
[ -f td/Kbuild ] && [ -f td/optmod_main.c ] || fail "--tmpdir -k: td holds $(ls td)"
grep -qx 'MODULE_INFO(stap_test, "yes");' td/optmod_main.c || fail "no MODULE_INFO in the C"
grep -aq 'stap_test=yes' optmod.ko || fail "no stap_test=yes in the module's .modinfo"
rm -rf td
"$STAP" -r "$R" -p3 --tmpdir="$WORK/td" -e 'probe begin { }' > out 2> err || fail "--tmpdir: $(cat err)"
[ -d td ] && [ -z "$(ls td)" ] || fail "--tmpdir without -k: td is missing or holds $(ls td)"
"$STAP" -r "$R" -p3 --modinfo '9x=1' -e 'probe begin { }' > out 2> err && fail "--modinfo 9x=1 was accepted"
expect_file err "stap: error: --modinfo 9x=1: NAME must be letters, digits and '_'"

"$STAP" -r "$R" -p2 -R "$WORK/nowhere" -e 'probe begin { }' > out 2> err && fail "-R nowhere was accepted"
expect_file err "stap: error: the runtime is missing: $WORK/nowhere is not a directory (set STAP_RUNTIME?)"
"$STAP" -r "$R" -p2 -R "$src/runtime" -e 'probe begin { }' > out 2> err || fail "-R: $(cat err)"

"$STAP" -r "$R" -p3 -g --suppress-time-limits -e 'probe begin { }' > out 2> err ||
	fail "--suppress-time-limits: $(cat err)"
for d in 'STP_NO_OVERLOAD 1' 'MAXACTION LONG_MAX' 'MAXACTION_INTERRUPTIBLE LONG_MAX' 'MAXTRYLOCK INT_MAX'; do
	grep -qx "#define $d" out || fail "--suppress-time-limits: no #define $d"
done

cond='probe begin { println(%( systemtap_v >= "4.0" %? "new" %: "old" %)) }'
"$STAP" -r "$R" -p1 --compatible=3.0 -e "$cond" > out 2> err || fail "--compatible: $(cat err)"
grep -q '"old"' out || fail "--compatible=3.0: $(cat out)"
"$STAP" -r "$R" -p1 -e "$cond" > out 2> err || fail "no --compatible: $(cat err)"
grep -q '"new"' out || fail "the default is not 4.8: $(cat out)"
"$STAP" -r "$R" -p1 --compatible=new -e "$cond" > out 2> err && fail "--compatible=new was accepted"
expect_file err "stap: error: --compatible takes a version such as 4.8, not 'new'"

"$STAP" -r "$R" -p2 -e 'global g probe begin { g = 1 }' > out 2> err || fail "globals: $(cat err)"
grep -qx 'end /\* <- end \*/' out || fail "no end probe to print g: $(cat out)"
"$STAP" -r "$R" -p2 -e 'global g probe begin { g = 1 }' --no-global-var-display > out 2> err ||
	fail "--no-global-var-display: $(cat err)"
grep -q '^end' out && fail "--no-global-var-display printed g: $(cat out)"

mkdir lib
echo 'function from_lib:string() { return "lib" }' > lib/mine.stp
echo 'probe begin { println(from_lib()) }' > uses_lib.stp
"$STAP" uses_lib.stp -p2 -r "$R" -I lib > out 2> err || fail "-I after the script: $(cat err)"
grep -qx 'from_lib:string ()' out || fail "-I lib: from_lib not found: $(cat out)"

"$STAP" -r "$R" -p2 --example readsizes > out 2> err || fail "--example: $(cat err)"
"$STAP" -r "$R" -p2 --example nosuch > out 2> err && fail "--example nosuch was accepted"
expect_file err "stap: error: --example: no example 'nosuch' in $src/examples"

"$STAP" -r "$R" -p2 --color=always -e 'probe nosuch { }' > out 2> err && fail "nosuch was accepted"
printf '<input>:1:7: \033[01;31merror: semantic error: \033[mno match for probe point '\''nosuch'\''\n    \033[00;34mprobe nosuch { }\033[m\n          \033[01m^\033[m\nPass 2: analysis failed.\n' > expected
cmp -s expected err || fail "--color=always: $(od -c err | head)"
SYSTEMTAP_COLORS='error=01;32' "$STAP" -r "$R" -p2 --color -e 'probe nosuch { }' > out 2> err
head -n 1 err | grep -q $'^<input>:1:7: \033\\[01;32merror: semantic error: \033\\[mno match' ||
	fail "SYSTEMTAP_COLORS: $(od -c err | head -3)"
SYSTEMTAP_COLORS= "$STAP" -r "$R" -p2 --color=always -e 'probe nosuch { }' > out 2> err
grep -q $'\033' err && fail "an empty SYSTEMTAP_COLORS still colors"

"$STAP" -r "$R" -p2 --rlimit-cpu=600 -e 'probe begin { }' > out 2> err || fail "--rlimit-cpu: $(cat err)"
"$STAP" -r "$R" -p2 --rlimit-nproc=lots -e 'probe begin { }' > out 2> err && fail "--rlimit-nproc=lots"
expect_file err "stap: error: --rlimit-nproc takes a number, not 'lots'"

"$STAP" -r "$R" -p2 --save-uprobes -e 'probe begin { }' > out 2> err || fail "--save-uprobes: $(cat err)"
expect_file err "stap: warning: --save-uprobes: nothing to save: every kernel stap builds for has uprobes built in, not as a uprobes.ko"
exit 0
