# What stap reads back from its cache goes into modules that root loads:
# a cache directory that someone else owns is refused, a runtime object
# or header that does not match its entry's MANIFEST is built again (not
# linked, not included),
# pruning old entries never follows a planted symbolic link, and without
# $HOME the cache is the password database's home, never /tmp.
. "$(dirname "$0")/lib.sh"
# (each build differs by a -D: the same module would come from the module cache)
p4() { "$STAP" -r "$RELEASE" -p4 -m cache_t "$@" -e 'probe begin { exit() }'; }

# 1. Planted runtime-* links in the cache, naming a victim directory: the
# build prunes the old entries (CACHE_KEEP is 4) without touching the victim.
export STAP_CACHE=$WORK/cache
mkdir -p -m 700 cache victim && echo precious > victim/file
for i in 1 2 3 4 5; do ln -s "$WORK/victim" "cache/runtime-$RELEASE-000000000000000$i"; done
p4 -v > out 2> err || fail "the first build failed: $(cat err)"
[ "$(cat victim/file 2>/dev/null)" = precious ] || fail "pruning removed victim/file through a link"
entry=$(sed -n 's/^Building the runtime for .* once, into //p' err)
[ -f "$entry/MANIFEST" ] || fail "no MANIFEST in '$entry': $(cat err)"

# 2. An object changed in the entry (an extra section) is not linked.
echo planted > section.bin
objcopy --add-section .planted=section.bin "$entry/module.o" || fail "objcopy failed"
p4 -D CACHE_T=2 > out 2> err || fail "the build with a changed module.o failed: $(cat err)"
grep -q "^stap: warning: the cached runtime $entry cannot be used (its files do not match their MANIFEST): building it again$" err ||
	fail "no warning about the changed module.o: $(cat err)"
readelf -S cache_t.ko | grep -q planted && fail "the planted section is in the module"
objdump -h "$entry/module.o" | grep -q planted && fail "the cache entry still holds the planted section"
# ... and so is a header the module's C includes from the entry
echo '#define STAPCONF_PLANTED 1' >> "$entry/stapconf.h"
p4 -D CACHE_T=3 > out 2> err || fail "the build with a changed stapconf.h failed: $(cat err)"
grep -q "^stap: warning: the cached runtime $entry cannot be used (its files do not match their MANIFEST): building it again$" err ||
	fail "no warning about the changed stapconf.h: $(cat err)"
grep -q PLANTED "$entry/stapconf.h" && fail "the cache entry still holds the planted stapconf.h"
grep -q "  stp_features.h$" "$entry/MANIFEST" || fail "stp_features.h is not in the MANIFEST: $(cat "$entry/MANIFEST")"

# 3. A cache directory that someone else owns is refused, with no build.
chown -R nobody cache
p4 > out 2> err && fail "a cache owned by nobody was used"
expect_file err "stap: error: refusing to use the cache directory $WORK/cache: it belongs to uid 65534, not to uid 0 (set STAP_CACHE to a directory of your own)"
chown -R root cache && chmod 777 cache
p4 > out 2> err && fail "a world-writable cache was used"
expect_file err "stap: error: refusing to use the cache directory $WORK/cache: others may write it (mode 777) (set STAP_CACHE to a directory of your own)"

# 4. Without HOME, the DWARF index of a program goes to root's home
# directory from the password database, not to /tmp/.cache.
unset STAP_CACHE
printf 'int f%s(void) { return 0; }\nint main(void) { return f%s(); }\n' $$ $$ > prog.c
gcc -g -o prog prog.c || fail "gcc failed"
id=$(readelf -n prog | sed -n 's/.*Build ID: //p')
home=$(getent passwd root | cut -d: -f6)
env -u HOME -u XDG_CACHE_HOME "$STAP" -p2 -e "probe process(\"$WORK/prog\").function(\"main\") { }" \
	> out 2> err || fail "stap -p2 without HOME failed: $(cat err)"
[ -e "/tmp/.cache/stap/dwarf-$id.idx" ] && fail "the index went to /tmp/.cache/stap"
[ -f "$home/.cache/stap/dwarf-$id.idx" ] || fail "the index is not in $home/.cache/stap"
rm -f "$home/.cache/stap/dwarf-$id.idx"
exit 0
