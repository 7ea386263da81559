# The cache options, on the runtime per kernel and DWARF indexes (the
# modules: cli/module_cache): --disable-cache neither reads nor writes the
# cache, --poison-cache rebuilds what it uses and writes it again,
# --clean-cache removes what crashed runs left and the runtime builds past
# four per kernel, says how many, then exits.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -g -O0 -static -no-pie -o prog "$src/stap_testprog.c" || fail "cannot build the program"
export STAP_CACHE=$WORK/cache
point='probe process("./prog").function("main") { }'
index() { ls cache/dwarf-*.idx 2> /dev/null; }

"$STAP" -r "$RELEASE" -p2 --disable-cache -e "$point" > out 2> err || fail "--disable-cache: $(cat err)"
[ -s err ] && fail "--disable-cache said: $(cat err)"
[ -e cache ] && fail "--disable-cache wrote the cache: $(ls cache)"

"$STAP" -r "$RELEASE" -p2 -e "$point" > out 2> err || fail "caching run: $(cat err)"
idx=$(index)
[ -n "$idx" ] || fail "no DWARF index cached"
before=$(stat -c %i "$idx")
"$STAP" -r "$RELEASE" -p2 -e "$point" > out 2> err || fail "cached run: $(cat err)"
[ "$(stat -c %i "$idx")" = "$before" ] || fail "a plain run rewrote the index"
"$STAP" -r "$RELEASE" -p2 --poison-cache -e "$point" > out 2> err || fail "--poison-cache: $(cat err)"
[ -s err ] && fail "--poison-cache said: $(cat err)"
[ "$(stat -c %i "$idx")" != "$before" ] || fail "--poison-cache did not rebuild the index"

# five runtime builds for one kernel, a stale build directory, a fresh one
for h in 1 2 3 4 5; do
	mkdir "cache/runtime-$RELEASE-000000000000000$h"
	touch -d "$h days ago" "cache/runtime-$RELEASE-000000000000000$h"
done
mkdir cache/build-OLD1 cache/build-NEW1
touch -d '2 days ago' cache/build-OLD1
"$STAP" --clean-cache > out 2> err || fail "--clean-cache: $(cat err)"
expect_file err "stap: the cache $WORK/cache: 2 entries removed"
[ -e cache/build-OLD1 ] && fail "the stale build directory is left"
[ -e cache/build-NEW1 ] || fail "a build directory in use was removed"
[ -e "cache/runtime-$RELEASE-0000000000000005" ] && fail "the oldest runtime build is left"
[ "$(ls -d cache/runtime-* | wc -l)" = 4 ] || fail "not four runtime builds: $(ls cache)"
[ -n "$(index)" ] || fail "--clean-cache removed the DWARF index"
exit 0
