# A module checks, before it puts a probe in, that the kernel and each
# process("PATH") program are the ones it was translated against (their
# GNU build-ids): a kernel or program rebuilt since would be probed at
# stale offsets.  The kernel case is made by changing the build-id that
# the module recorded; the program case by rebuilding the program.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
[ -e "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "skipped: no vmlinux debuginfo (vm/install-debuginfo)"; exit 0; }
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
cat > swap.c <<'END'
/* swap FILE FROM TO: every FROM (hex) in FILE becomes TO; prints the count */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static size_t unhex(const char *h, unsigned char *out)
{
	size_t n = strlen(h) / 2;
	for (size_t i = 0; i < n; i++)
		sscanf(h + 2 * i, "%2hhx", &out[i]);
	return n;
}
int main(int argc, char **argv)
{
	unsigned char from[64], to[64], *d;
	size_t n = unhex(argv[2], from), len, count = 0;
	FILE *f = fopen(argv[1], "r+b");
	unhex(argv[3], to);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	d = malloc(len);
	rewind(f);
	if (fread(d, 1, len, f) != len)
		return 1;
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(d + i, from, n)) {
			memcpy(d + i, to, n);
			count++;
		}
	rewind(f);
	fwrite(d, 1, len, f);
	printf("%zu\n", count);
	return fclose(f) != 0;
}
END
gcc -o swap swap.c || fail "gcc swap.c failed"

# the kernel: a recorded build-id that is not the running kernel's
kid=$(build_id "/usr/lib/debug/boot/vmlinux-$RELEASE")
"$STAP" -r "$RELEASE" -p4 -m bid_kernel -e 'probe kernel.function("vfs_read") { println("probed"); exit() }' \
	> /dev/null 2> err || fail "stap -p4: $(cat err)"
cp bid_kernel.ko bid_kernel_bad.ko
[ "$(./swap bid_kernel_bad.ko "$kid" "fe${kid#??}")" -ge 1 ] || fail "no build-id $kid in the module"

# a program rebuilt after the translation, at the same path
printf 'int work(int x) { return x + 1; }\nint main(void) { return work(1) - 2; }\n' > prog.c
gcc -g -O0 -static -o bprog prog.c || fail "gcc prog.c failed"
"$STAP" -r "$RELEASE" -p4 -m bid_user -e 'probe process("'"$WORK"'/bprog").function("work") { println("work") }' \
	> /dev/null 2> err || fail "stap -p4: $(cat err)"
cp bprog bprog.v1
printf 'int work(int x) { return x + 2; }\nint main(void) { return work(1) - 3; }\n' > prog.c
gcc -g -O0 -static -o bprog.v2 prog.c || fail "gcc prog.c (2) failed"
old=$(build_id bprog.v1) new=$(build_id bprog.v2)
i=0
while [ "${old:2*i:2}" = "${new:2*i:2}" ]; do i=$((i + 1)); done

# a program without debuginfo, probed by its symbol table, has its
# build-id recorded too (it has no DWARF module to take it from)
gcc -O2 -static -o nprog prog.c || fail "gcc prog.c (no -g) failed"
"$STAP" -r "$RELEASE" -p3 -e 'probe process("'"$WORK"'/nprog").function("work") { println("work") }' \
	> nprog.c 2> err || fail "stap -p3 (no debuginfo): $(cat err)"
lit=$(build_id nprog | sed 's/../\\x&/g')
grep -qF ".build_id = \"$lit\", .build_id_len = 20" nprog.c ||
	fail "no build-id $(build_id nprog) recorded for the program without debuginfo: $(grep -F '.path =' nprog.c)"

cat > guest.sh <<END
staprun /extra/bid_kernel.ko; echo "kernel: \$?"
staprun /extra/bid_kernel_bad.ko; echo "changed kernel: \$?"
mkdir -p $WORK && cp /extra/bprog.v1 $WORK/bprog
staprun -c $WORK/bprog /extra/bid_user.ko; echo "program: \$?"
cp /extra/bprog.v2 $WORK/bprog
staprun -c $WORK/bprog /extra/bid_user.ko; echo "changed program: \$?"
grep -c "^bid_" /proc/modules; true
END
"$vm" --script --extra bid_kernel.ko --extra bid_kernel_bad.ko --extra bid_user.ko \
	--extra bprog.v1 --extra bprog.v2 guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "probed
kernel: 0
changed kernel: 1
work
program: 0
changed program: 1
0"
expect_file err "ERROR: Build-id mismatch [man error::buildid]: \"kernel\" byte 0 (0xfe vs 0x${kid:0:2})
WARNING: Number of errors: 1, skipped probes: 0
ERROR: Build-id mismatch [man error::buildid]: \"$WORK/bprog\" byte $i (0x${old:2*i:2} vs 0x${new:2*i:2})
WARNING: Number of errors: 1, skipped probes: 0"
exit 0
