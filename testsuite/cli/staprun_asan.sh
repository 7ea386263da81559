# staprun under AddressSanitizer and UBSan (stapio/staprun-asan, which make
# check builds), on the host, where loading any module fails: its options,
# the module parameters it joins (-b is written as the number it parsed,
# however it was typed) and its reading of a module's .modinfo, from a
# real module and from truncated and corrupted ones.  Any sanitizer
# report fails the test.
. "$(dirname "$0")/lib.sh"
run=$(dirname "$STAP")/../stapio/staprun-asan
[ -x "$run" ] || { echo "skipped: no $run (make check builds it)"; exit 0; }
export ASAN_OPTIONS=abort_on_error=0:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=99
# staprun ARGS...: its status, stderr in err; a sanitizer report fails
sr() {
	"$run" "$@" > out 2> err
	rc=$?
	grep -q "Sanitizer\|runtime error" err && fail "staprun $*: $(head -20 err)"
	[ $rc -ne 99 ] || fail "staprun $* exited 99: $(head -5 err)"
	return $rc
}
"$STAP" -r "$RELEASE" -p4 -m asan_t -e 'global depth = 1, label = "x"
probe begin { println(depth, label) }' > /dev/null 2> err || fail "stap -p4: $(cat err)"
chmod 644 asan_t.ko
zeros=$(printf '%0500d' 7)
sr -v -b "$zeros" asan_t.ko
grep -q '^staprun: loading asan_t.ko as asan_t, parameters "_stp_bufsize=7"$' err ||
	fail "-b $zeros: $(cat err)"
sr -v -b 12 asan_t.ko depth=3 'label=a b' || true
grep -q '^staprun: loading asan_t.ko as asan_t, parameters "depth=3 label="a b" _stp_bufsize=12"$' err ||
	fail "parameters: $(cat err)"
sr asan_t.ko nosuch=1 && fail "an unknown parameter was accepted"
expect_file err "staprun: module asan_t.ko has no parameter nosuch (a script global that is a number or a string)"
for bad in -b0 -b4096 -bx "-b $zeros$zeros" -F\ -d -T -x; do
	sr $bad asan_t.ko && fail "staprun $bad was accepted"
done
sr -d no_such_module && fail "-d of a module that is not loaded succeeded"
expect_file err "staprun: no module no_such_module is loaded"
sr "$(printf 'x%.0s' $(seq 70)).ko" && fail "a 70-character module name was accepted"
# .modinfo from truncated and corrupted modules: refused or skipped, never overread
size=$(stat -c %s asan_t.ko)
shoff=$(od -An -tu8 -j40 -N8 asan_t.ko | tr -d ' ')
for cut in 16 64 100 1000 $((size / 2)) $((shoff + 64)) $((size - 1)); do
	head -c "$cut" asan_t.ko > cut.ko
	sr cut.ko depth=1 || true
done
# e_shoff, e_shnum, e_shstrndx and every section's name and offset garbled
patch() { cp asan_t.ko bad.ko; printf "$2" | dd of=bad.ko bs=1 seek="$1" conv=notrunc 2> /dev/null; }
for spot in "40 \xff\xff\xff\xff\xff\xff\xff\x7f" "60 \xff\xff" "62 \xff\xff" "58 \x01"; do
	patch $spot
	sr bad.ko depth=1 || true
done
nsec=$(od -An -tu2 -j60 -N2 asan_t.ko | tr -d ' ')
for i in $(seq 0 $((nsec - 1))); do
	patch $((shoff + 64 * i)) '\xf0\xff\xff\xff'
	sr bad.ko depth=1 || true
	patch $((shoff + 64 * i + 24)) '\xf0\xff\xff\xff\xff\xff\xff\x7f'
	sr bad.ko depth=1 || true
	patch $((shoff + 64 * i + 32)) '\xf0\xff\xff\xff\xff\xff\xff\x7f'
	sr bad.ko depth=1 || true
done
exit 0
