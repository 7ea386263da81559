# A DWARF index in the cache that was changed (by a crash, a full disk or
# someone with a grudge) is rebuilt, never trusted: counts and offsets
# that overflow past the file, a wrong checksum, a truncated file, a link.
# Each crafted file below carries a correct checksum where it can, so that
# the range checks themselves are what must refuse it.
. "$(dirname "$0")/lib.sh"
export STAP_CACHE=$WORK/cache
printf 'int work(int x) { return x * 2; }\nint main(void) { return work(%s); }\n' $$ > prog.c
gcc -g -o prog prog.c || fail "gcc failed"
cat > craft.c <<'END'
/* craft FILE FIELD VALUE...: sets a u64 (FIELD >= 0: its byte offset) or
 * u32 (FIELD < 0: -offset) of the index header for each pair, then
 * recomputes the checksum that version 5 files carry at offset 72, as
 * dwarf_index.c does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "r+b");
	static unsigned char d[1 << 20];
	size_t n = fread(d, 1, sizeof(d), f);
	uint64_t h, w;
	uint32_t version;
	for (int a = 2; a + 1 < argc; a += 2) {
		long field = strtol(argv[a], NULL, 0);
		uint64_t v = strtoull(argv[a + 1], NULL, 0);
		uint32_t v32 = (uint32_t)v;
		if (field >= 0)
			memcpy(d + field, &v, 8);
		else
			memcpy(d - field, &v32, 4);
	}
	memcpy(&version, d + 8, 4);
	if (version >= 5) {
		size_t i, len = n - 80;
		const unsigned char *p = d + 80;
		h = 0x9e3779b97f4a7c15ull ^ len;
		for (i = 0; i + 8 <= len; i += 8) {
			memcpy(&w, p + i, 8);
			h = (h ^ w) * 0xff51afd7ed558ccdull;
			h ^= h >> 32;
		}
		for (; i < len; i++)
			h = (h ^ p[i]) * 1099511628211ull;
		memcpy(d + 72, &h, 8);
	}
	rewind(f);
	fwrite(d, 1, n, f);
	return fclose(f) != 0;
}
END
gcc -o craft craft.c || fail "gcc craft.c failed"
p2() {
	"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$WORK/prog\").function(\"work\") { println(\$x) }" > out 2> err
}
p2 || fail "the first stap -p2 failed: $(cat err)"
idx=$(ls cache/dwarf-*.idx)
cp "$idx" good.idx
# what the crafted file is, then header fields and values
try() {
	local what=$1
	shift
	cp good.idx "$idx"
	./craft "$idx" "$@" || fail "craft failed"
	p2
	rc=$?
	[ $rc -eq 0 ] || fail "$what: stap -p2 exited $rc: $(cat err)"
	grep -q 'process("'"$WORK"'/prog").function("work@' out || fail "$what: no probe in: $(cat out)"
	[ -s err ] && fail "$what: stderr: $(cat err)"
	cmp -s good.idx "$idx" || fail "$what: the index was not rebuilt"
}
try "strings wrapping around" 24 0xffffff0000000000 32 0x10000000010
try "strings past the end" 32 0x100000
try "functions wrapping around" 40 0xfffffffffffffff8
try "functions past the end" -12 0x10000000
try "types wrapping around" 56 0xffffffffffff0000
try "types past the end" -20 0x7fffffff
try "misaligned functions" 40 $(( $(od -An -tu8 -j40 -N8 good.idx) + 4 ))
# a flipped byte in the strings: only the checksum sees it
cp good.idx "$idx"
printf 'Z' | dd of="$idx" bs=1 seek=100 conv=notrunc 2> /dev/null
p2 || fail "a flipped byte: stap -p2 failed: $(cat err)"
cmp -s good.idx "$idx" || fail "a flipped byte: the index was not rebuilt"
head -c 100 good.idx > "$idx"
p2 || fail "a truncated index: stap -p2 failed: $(cat err)"
cmp -s good.idx "$idx" || fail "a truncated index: it was not rebuilt"
# a link in the cache is not followed
rm "$idx" && ln -s "$WORK/good.idx" "$idx"
p2 || fail "a linked index: stap -p2 failed: $(cat err)"
expect_file err "stap: warning: not using the DWARF index $WORK/$idx: it is a symbolic link"
[ -L "$idx" ] && fail "the link is still there"
cmp -s good.idx "$idx" || fail "a linked index: it was not rebuilt"
exit 0
