# SDT markers on the host: stap -L lists each marker of a program, of a
# library through .library, and Debian's python3's (as readelf -n names
# them, each once), with $arg1..$argN; a misspelled marker, a program
# without markers and $argN past the marker's N are semantic errors in
# the script's terms; python3's markers (operands such as 112(%rsp) and
# %r15) lower to C.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -O2 -o "$WORK/sdt_o2" stap_sdt.c &&
	gcc -O2 -fPIC -shared -o "$WORK/libstap_sdt.so" stap_sdt_lib.c &&
	gcc -O2 -DSDT_LIB -o "$WORK/sdt_withlib" stap_sdt.c -L"$WORK" -lstap_sdt \
		-Wl,-rpath,'$ORIGIN') || fail "cannot build the programs"
echo 'int main(void) { return 0; }' > nomark.c && gcc -o nomark nomark.c || fail "cannot build nomark"
P="$WORK/sdt_o2"

"$STAP" -r "$RELEASE" -L "process(\"$P\").mark(\"*\")" > out 2> err || fail "-L failed: $(cat err)"
expect_file out "process(\"$P\").mark(\"consts\") \$arg1:long \$arg2:long
process(\"$P\").mark(\"global\") \$arg1:long
process(\"$P\").mark(\"guarded\") \$arg1:long
process(\"$P\").mark(\"pair\") \$arg1:long
process(\"$P\").mark(\"plain\")
process(\"$P\").mark(\"step\") \$arg1:long \$arg2:long \$arg3:long \$arg4:long \$arg5:long"
"$STAP" -r "$RELEASE" -l "process(\"$P\").provider(\"sdtdemo\").mark(\"g*\")" > out 2> err ||
	fail "-l failed: $(cat err)"
expect_file out "process(\"$P\").provider(\"sdtdemo\").mark(\"global\")
process(\"$P\").provider(\"sdtdemo\").mark(\"guarded\")"
"$STAP" -r "$RELEASE" -L "process(\"$WORK/sdt_withlib\").library(\"libstap_sdt.so\").mark(\"*\")" \
	> out 2> err || fail "-L of the library failed: $(cat err)"
expect_file out "process(\"$WORK/sdt_withlib\").library(\"$WORK/libstap_sdt.so\").mark(\"scaled\") \$arg1:long \$arg2:long"

# Debian's python3: its markers, by readelf, each with as many $args as operands
PY=$(readlink -f /usr/bin/python3)
readelf -n "$PY" | awk '/Name:/ { name = $2 } /Arguments:/ {
	s = ""; for (i = 2; i <= NF; i++) s = s " $arg" (i - 1) ":long"
	printf "process(\"%s\").mark(\"%s\")%s\n", py, name, s }' py="$PY" | sort -u > expected
[ -s expected ] || fail "$PY has no SDT markers"
"$STAP" -r "$RELEASE" -L 'process("/usr/bin/python3").mark("*")' > out 2> err || fail "-L python3: $(cat err)"
cmp -s expected out || { diff expected out; fail "python3's markers differ"; }
"$STAP" -r "$RELEASE" -p3 -e 'probe process("/usr/bin/python3").mark("*") { println($$parms) }' \
	> out 2> err || fail "-p3 python3: $(cat err)"

# errors
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").mark(\"gaurded\") { }" > out 2> err &&
	fail "a misspelled marker was accepted"
expect_file err "<input>:1:7: error: semantic error: no match for probe point process(\"$P\").mark(\"gaurded\") (similar: guarded)
    probe process(\"$P\").mark(\"gaurded\") { }
          ^
Pass 2: analysis failed."
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/nomark\").mark(\"x\") { }" > out 2> err &&
	fail "a program without markers was accepted"
grep -q "semantic error: no match for probe point process(\"$WORK/nomark\").mark(\"x\"): $WORK/nomark has no SDT markers (no .note.stapsdt)" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").mark(\"global\") { println(\$arg2) }" > out 2> err &&
	fail "\$arg2 of a marker with one argument was accepted"
col=$((${#P} + 44))
expect_file err "<input>:1:$col: error: semantic error: process(\"$P\").mark(\"global\") has 1 argument: no '\$arg2'
    probe process(\"$P\").mark(\"global\") { println(\$arg2) }
$(printf "%$((col + 3))s")^
Pass 2: analysis failed."
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").mark(\"plain\") { println(\$arg1) }" > out 2> err &&
	fail "\$arg1 of a marker without arguments was accepted"
grep -q "semantic error: process(\"$P\").mark(\"plain\") has no arguments: its target variables are \$\$name, \$\$provider and \$\$parms, not '\$arg1'" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").mark(\"step\").return { }" > out 2> err &&
	fail ".mark(...).return was accepted"
grep -q "semantic error: no match for probe point: .mark(\"step\") takes no suffix" err ||
	fail "bad message: $(cat err)"
exit 0
