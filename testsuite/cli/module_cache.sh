# The module cache: a second stap -p4 of the same script is taken from
# the cache (faster, and -v says so in SystemTap's words), while a changed
# script, -D, -m or kernel release builds anew; an entry whose module
# changed, that others may write or that another user owns is refused
# and built again; --disable-cache neither reads nor writes it,
# --poison-cache rebuilds and replaces, and the least recently used
# modules go past cache_mb_limit (after a build, and with --clean-cache).
. "$(dirname "$0")/lib.sh"
export STAP_CACHE=$WORK/cache
mkdir -m 700 cache
# the runtime builds of the user's own cache, if any: they are checked
# against their MANIFEST as any entry, and save building the runtime here
home_cache=${XDG_CACHE_HOME:-$HOME/.cache}/stap
cp -a "$home_cache"/runtime-"$RELEASE"-* "$home_cache"/runtime-6.12.118+deb12-cloud-amd64-* \
	cache/ 2> /dev/null
hello='probe begin { println("hi") exit() }'
# p4 NAME [stap options] SCRIPT: stap -p4 -v, its stderr in NAME.err and its wall time in ms in NAME.ms
p4() {
	local name=$1; shift
	local start=$(date +%s%N)
	"$STAP" -p4 -v "$@" > "$name.out" 2> "$name.err" || fail "stap -p4 $*: $(cat "$name.err")"
	echo $(( ($(date +%s%N) - start) / 1000000 )) > "$name.ms"
}
built() { grep -q '^Pass 4: compiled C into ' "$1.err" || fail "$1: not built: $(cat "$1.err")"; }
cached() {
	grep -q "^Pass 4: using cached $WORK/cache/module-[0-9a-f]\{40\}/$2.ko$" "$1.err" ||
		fail "$1: not taken from the cache: $(cat "$1.err")"
}
entries() { ls -d cache/module-* 2> /dev/null | wc -l; }

# 1. the second build of the same script is a hit: faster, the same module
p4 miss -r "$RELEASE" -m mc_t -e "$hello"
built miss
cp mc_t.ko first.ko
p4 hit -r "$RELEASE" -m mc_t -e "$hello"
cached hit mc_t
cmp -s first.ko mc_t.ko || fail "the cached module differs from the one built"
[ "$(cat hit.ms)" -lt "$(cat miss.ms)" ] || fail "the hit took $(cat hit.ms) ms, the build $(cat miss.ms) ms"
grep -q '^Pass 3: translated to C' hit.err || fail "pass 3 did not run on a hit: $(cat hit.err)"
[ "$(entries)" = 1 ] || fail "not one module entry: $(ls cache)"
[ "$(cat cache/cache_mb_limit)" = 256 ] || fail "cache_mb_limit was not written with 256"
entry=$(ls -d cache/module-*)

# 2. what changes the module changes the key: each of these builds anew
p4 script -r "$RELEASE" -m mc_t -e 'probe begin { println("ho") exit() }'
built script
p4 define -r "$RELEASE" -m mc_t -D MAXACTION=500 -e "$hello"
built define
p4 name -r "$RELEASE" -m mc_u -e "$hello"
built name
p4 release -r 6.12.118+deb12-cloud-amd64 -m mc_t -e "$hello"
built release
[ "$(entries)" = 5 ] || fail "not five module entries: $(ls cache)"
p4 define2 -r "$RELEASE" -m mc_t -D MAXACTION=500 -e "$hello"
cached define2 mc_t

# 3. a tampered entry is refused with the reason and built again
tampered() {
	p4 "$1" -r "$RELEASE" -m mc_t -e "$hello"
	built "$1"
	grep -q "^stap: warning: the cached module $WORK/$entry cannot be used ($2): building it again$" "$1.err" ||
		fail "$1: no warning: $(cat "$1.err")"
	(cd "$entry" && sha256sum --quiet -c MANIFEST) || fail "$1: the entry built again does not match its MANIFEST"
	[ -z "$(find "$entry" -perm /022 -o ! -user "$(id -un)")" ] || fail "$1: the entry built again: $(ls -lR "$entry")"
	p4 "$1.again" -r "$RELEASE" -m mc_t -e "$hello"
	cached "$1.again" mc_t
}
printf 'X' | dd of="$entry/mc_t.ko" bs=1 seek=4096 conv=notrunc 2> /dev/null
tampered bytes "its files do not match their MANIFEST"
chmod g+w "$entry/mc_t.ko"
tampered groupw "mc_t.ko: others may write it (mode 664)"
chown nobody "$entry/mc_t.ko"
tampered owner "mc_t.ko: it belongs to uid 65534"
cp "$entry/mc_t.ko" planted.ko && ln -sf "$WORK/planted.ko" "$entry/mc_t.ko"
tampered link "mc_t.ko: it is a symbolic link"
chmod g+w "$entry"
tampered dir "it is not a directory of yours that only you may write"

# 4. --disable-cache neither reads nor writes; --poison-cache rebuilds and replaces
before=$(ls -l --time-style=full-iso -R cache)
p4 disabled --disable-cache -r "$RELEASE" -m mc_t -D MAXACTION=501 -e "$hello"
built disabled
[ "$(ls -l --time-style=full-iso -R cache)" = "$before" ] || fail "--disable-cache changed the cache"
p4 disabled2 --disable-cache -r "$RELEASE" -m mc_t -e "$hello"
built disabled2
inode=$(stat -c %i "$entry")
p4 poisoned --poison-cache -r "$RELEASE" -m mc_t -e "$hello"
built poisoned
[ "$(stat -c %i "$entry")" != "$inode" ] || fail "--poison-cache did not replace the entry"
p4 poisoned2 -r "$RELEASE" -m mc_t -e "$hello"
cached poisoned2 mc_t

# 5. past cache_mb_limit the least recently used modules go: A, B, then a
# hit on A, then C evicts B (each module is about 1 MB: two fit in 2 MiB)
rm -rf cache/module-*
echo 2 > cache/cache_mb_limit
script() { echo "probe begin { println(\"$1\") exit() }"; }
p4 a -r "$RELEASE" -m mc_a -e "$(script a)"
p4 b -r "$RELEASE" -m mc_b -e "$(script b)"
p4 a2 -r "$RELEASE" -m mc_a -e "$(script a)"
cached a2 mc_a
size=$(stat -c %s mc_a.ko)
[ "$size" -gt 750000 ] && [ "$size" -lt 1048576 ] || fail "hello world is $size bytes: change the limits of this test"
p4 c -r "$RELEASE" -m mc_c -e "$(script c)"
kept=$(cat cache/module-*/MANIFEST | sed 's/.*  //' | sort | tr '\n' ' ')
[ "$kept" = "mc_a.ko mc_c.ko " ] || fail "kept $kept, not mc_a.ko and mc_c.ko"

# 6. --clean-cache applies the limit too, and says how many entries went
echo 0 > cache/cache_mb_limit
"$STAP" --clean-cache > out 2> err || fail "--clean-cache: $(cat err)"
expect_file err "stap: the cache $WORK/cache: 2 entries removed"
[ "$(entries)" = 0 ] || fail "--clean-cache left $(ls cache)"
exit 0
