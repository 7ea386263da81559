# PLT entries on the host: stap -l lists each PLT entry of a program
# (lazy .plt and IBT .plt.sec layouts), of a library through .library,
# of the -c command's program (process.plt), of each program a wildcard
# in PATH names, .plt alone meaning every
# entry; -L gives $$name, and $return in .return.  A name no entry has,
# a file without a PLT and a target variable a PLT probe lacks are
# semantic errors naming the point and the file; so is $return at the
# .plt points of a probe that also has .plt.return points.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -O2 -o "$WORK/plt_pie" stap_plt.c &&
	gcc -O2 -fcf-protection -Wl,-z,ibtplt -Wl,-z,now -o "$WORK/plt_ibt" stap_plt.c &&
	gcc -O2 -fPIC -shared -o "$WORK/libstap_plt.so" stap_plt_lib.c &&
	gcc -O2 -DPLT_LIB -o "$WORK/plt_withlib" stap_plt.c -L"$WORK" -lstap_plt \
		-Wl,-rpath,'$ORIGIN') || fail "cannot build the programs"
echo 'int main(void) { return 0; }' > noplt.c && gcc -o noplt noplt.c || fail "cannot build noplt"
readelf -rW noplt | grep -q JUMP_SLOT && fail "noplt has PLT entries"

# what the relocations name (the C library's functions the program calls)
entries() {	# FILE POINT-PREFIX
	readelf -rW "$1" | awk '$3 == "R_X86_64_JUMP_SLOT" { sub(/@.*/, "", $5); print $5 }' |
		sort | sed "s|.*|$2.plt(\"&\")|"
}
for p in plt_pie plt_ibt; do
	entries $p "process(\"$WORK/$p\")" > expected
	grep -q '"malloc"' expected || fail "$p's relocations name no malloc"
	"$STAP" -r "$RELEASE" -l "process(\"$WORK/$p\").plt(\"*\")" > out 2> err ||
		fail "-l $p failed: $(cat err)"
	cmp -s expected out || { diff expected out; fail "$p's PLT entries differ"; }
	"$STAP" -r "$RELEASE" -l "process(\"$WORK/$p\").plt" > out 2> err || fail "-l .plt: $(cat err)"
	cmp -s expected out || { diff expected out; fail ".plt alone is not .plt(\"*\") in $p"; }
done
"$STAP" -r "$RELEASE" -L "process(\"$WORK/plt_pie\").plt(\"[mw]*\")" > out 2> err ||
	fail "-L failed: $(cat err)"
expect_file out "process(\"$WORK/plt_pie\").plt(\"malloc\") \$\$name:string
process(\"$WORK/plt_pie\").plt(\"write\") \$\$name:string"
"$STAP" -r "$RELEASE" -L "process(\"$WORK/plt_pie\").plt(\"getpid\").return" > out 2> err ||
	fail "-L .return failed: $(cat err)"
expect_file out "process(\"$WORK/plt_pie\").plt(\"getpid\").return \$\$name:string \$return:long"
"$STAP" -r "$RELEASE" -l "process(\"$WORK/plt_withlib\").library(\"libstap_plt.so\").plt" \
	> out 2> err || fail "-l of the library failed: $(cat err)"
expect_file out "process(\"$WORK/plt_withlib\").library(\"$WORK/libstap_plt.so\").plt(\"getpid\")"
# a wildcard in PATH: each program it names (noplt, without a PLT, passed over)
"$STAP" -r "$RELEASE" -l "process(\"$WORK/*p*\").plt(\"mall*\")" > out 2> err ||
	fail "-l of a wildcard path failed: $(cat err)"
expect_file out "process(\"$WORK/plt_ibt\").plt(\"malloc\")
process(\"$WORK/plt_pie\").plt(\"malloc\")
process(\"$WORK/plt_withlib\").plt(\"malloc\")"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/plt_*\").plt(\"mallok\") { }" > out 2> err &&
	fail "a wildcard path without the entry was accepted"
grep -q "semantic error: no match for probe point: no file matching process(\"$WORK/plt_\*\") has a PLT entry \"mallok\"" err ||
	fail "wildcard path: $(cat err)"
# process.plt: the -c command's program
"$STAP" -r "$RELEASE" -c "$WORK/plt_pie 1" -l 'process.plt("g*")' > out 2> err ||
	fail "-c -l failed: $(cat err)"
expect_file out "process(\"$WORK/plt_pie\").plt(\"getpid\")"

# bad input
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/plt_pie\").plt(\"mallok\") { }" \
	> out 2> err && fail "a PLT entry that is not there was accepted"
expect_file err "<input>:1:7: error: semantic error: no match for probe point process(\"$WORK/plt_pie\").plt(\"mallok\"): no PLT entry \"mallok\" in $WORK/plt_pie (similar: malloc)
    probe process(\"$WORK/plt_pie\").plt(\"mallok\") { }
          ^
Pass 2: analysis failed."
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/noplt\").plt { }" > out 2> err &&
	fail "a program without a PLT was accepted"
grep -q "semantic error: no match for probe point process(\"$WORK/noplt\").plt(\"\*\"): $WORK/noplt has no PLT entries" err ||
	fail "no PLT: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/plt_pie\").plt(\"malloc\") { println(\$return) }" \
	> out 2> err && fail "\$return outside .return was accepted"
grep -q "semantic error: process(\"$WORK/plt_pie\").plt(\"malloc\") has the target variables \$\$name, not '\$return'" err ||
	fail "\$return at entry: $(cat err)"
# a probe on both kinds: its .return points have $return, its .plt points not
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/plt_pie\").plt(\"g*\").return, process(\"$WORK/plt_pie\").plt(\"malloc\") { println(\$\$name, @defined(\$return)) }" \
	> out 2> err || fail "@defined(\$return) on both kinds: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/plt_pie\").plt(\"getpid\").return, process(\"$WORK/plt_pie\").plt(\"malloc\") { println(\$return) }" \
	> out 2> err && fail "\$return at a .plt point of a probe on both kinds was accepted"
grep -q "semantic error: process(\"$WORK/plt_pie\").plt(\"malloc\") has the target variables \$\$name, not '\$return'" err ||
	fail "\$return on both kinds: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e 'probe process.plt { }' > out 2> err && fail "process.plt without -c was accepted"
grep -q 'semantic error: process.plt names no program' err || fail "process.plt: $(cat err)"
exit 0
