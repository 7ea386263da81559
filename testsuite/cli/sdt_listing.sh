# SDT markers on the host: stap -L lists each marker of a program, of a
# library through .library, of the -c command's program (process.mark),
# and Debian's python3's (as readelf -n names them, each once), with
# $arg1..$argN.  python3's markers (operands such as 112(%rsp) and %r15)
# lower to C, and so do operand forms written by hand, each to the C it
# says; a prelinked file's markers are placed where they are now.  A
# misspelled marker, a program without markers, $argN past the marker's
# N and operands stap cannot read are semantic errors in the script's
# terms.
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
process(\"$P\").mark(\"indexed\") \$arg1:long \$arg2:long
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

# process.mark: the -c command's program
"$STAP" -r "$RELEASE" -c "$P 1" -L 'process.mark("g*")' > out 2> err || fail "-c -L failed: $(cat err)"
expect_file out "process(\"$P\").mark(\"global\") \$arg1:long
process(\"$P\").mark(\"guarded\") \$arg1:long"
"$STAP" -r "$RELEASE" -p2 -e 'probe process.mark("global") { }' > out 2> err &&
	fail "process.mark without -c was accepted"
expect_file err "<input>:1:7: error: semantic error: process.mark names no program: write process(\"PATH\").mark, or name the program with stap -c CMD or -x PID
    probe process.mark(\"global\") { }
          ^
Pass 2: analysis failed."

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

# a prelinked file: its notes give the addresses it had when linked,
# .stapsdt.base where it is now.  "prelinked" is sdt_o2 with each note's
# three addresses 0x1000 lower (as if it had moved up by 0x1000 since):
# its markers must be placed where sdt_o2's are, semaphores too.
python3 - "$P" prelinked <<'PY' || fail "cannot make the prelinked copy"
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
def section(i):
    return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
strtab = section(shstrndx)[4]
for i in range(shnum):
    sh = section(i)
    name = data[strtab + sh[0]:data.index(0, strtab + sh[0])]
    if name != b".note.stapsdt":
        continue
    off, end = sh[4], sh[4] + sh[5]
    while off < end:
        namesz, descsz, _ = struct.unpack_from("<III", data, off)
        desc = off + 12 + (namesz + 3) // 4 * 4
        for k in range(3):
            v, = struct.unpack_from("<Q", data, desc + 8 * k)
            if v:
                struct.pack_into("<Q", data, desc + 8 * k, v - 0x1000)
        off = desc + (descsz + 3) // 4 * 4
open(sys.argv[2], "wb").write(data)
PY
table() {	# the offsets of the uprobes of each marker of $1, by name
	"$STAP" -r "$RELEASE" -p3 -e "probe process(\"$1\").mark(\"*\") { println(\$\$name) }" |
		grep -o '\.offset = 0x[0-9a-f]*\(, .build_id = [^,]*, .build_id_len = [0-9]*\)\?, \.ref_ctr_offset = 0x[0-9a-f]*' |
		sed 's/, .build_id[^,]*, .build_id_len = [0-9]*//'
}
table "$P" > original
table "$WORK/prelinked" > moved
[ "$(wc -l < original)" = 7 ] || fail "sdt_o2's table: $(cat original)"
cmp -s original moved || { diff original moved; fail "the prelinked file's markers moved"; }
readelf -n prelinked | grep -q "Location: 0x0000000000000[0-9a-f]*, Base: 0x0000000000001" ||
	fail "the prelinked copy's notes were not changed"

# operands written by hand (uprog/stap_sdt_ops.c): each read as it says ...
(cd "$src" && gcc -O2 -o "$WORK/ops" stap_sdt_ops.c) || fail "cannot build ops"
"$STAP" -r "$RELEASE" -p3 -e "probe process(\"$WORK/ops\").mark(\"good\") { println(\$\$parms) }" \
	> ops.c 2> err || fail "-p3 of ops' good marker: $(cat err)"
sym=$(readelf -sW ops | awk '$8 == "total" { print $2 }' | sed 's/^0*//')
grep -o 's64 t[0-9]* = .*;' ops.c > values
expect_file values "s64 t1 = (s64)(stp_uread(c, (u64)(STP_REG(c, 1) * 8), 8, false));
s64 t2 = (s64)(stp_uread(c, (u64)(stp_uload(c, \"$WORK/ops\", 0x${sym}ULL)), 8, false));
s64 t3 = (s64)(stp_uread(c, (u64)(stp_uload(c, \"$WORK/ops\", 0x${sym}ULL) + 8LL), 8, false));
s64 t4 = (s64)((s64)(u32)((u64)(u32)STP_REG(c, 9)));
s64 t5 = (s64)((s64)(s16)((u64)(u16)STP_REG(c, 10)));
s64 t6 = (s64)((s64)(u8)((u64)(u8)STP_REG(c, 11)));
s64 t7 = (s64)(stp_uread(c, (u64)(STP_REG(c, 6) + -16LL), 8, false));
s64 t8 = (s64)((s64)(127LL));"
# ... or refused, saying why
bad_operand() {	# MARKER OPERAND WHY
	"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/ops\").mark(\"$1\") { println(\$arg1) }" \
		> out 2> err && fail "the operand $2 was accepted"
	grep -qF "semantic error: cannot read \$arg1 of process(\"$WORK/ops\").mark(\"$1\"): its operand '$2' has $3" err ||
		fail "bad message: $(cat err)"
}
bad_operand riponly '8@8(%rip)' 'an address relative to %rip without a symbol'
bad_operand nosym '8@nosuch(%rip)' "a symbol, 'nosuch', that $WORK/ops's symbol table lacks"
bad_operand size16 '16@%rax' 'a size that is not 1, 2, 4 or 8 bytes'
bad_operand xmm '8@%xmm0' 'a register stap cannot read (not a general-purpose one)'

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
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").provider(\"sdtdemo\") { }" > out 2> err &&
	fail ".provider without .mark was accepted"
grep -q "semantic error: no match for probe point: .provider(\"sdtdemo\") takes .mark(\"NAME\")" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$P\").mark(\"step\").return { }" > out 2> err &&
	fail ".mark(...).return was accepted"
grep -q "semantic error: no match for probe point: .mark(\"step\") takes no suffix" err ||
	fail "bad message: $(cat err)"
exit 0
