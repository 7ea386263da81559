# A module served from the module cache loads and runs: the first stap
# builds it (-p4), the second, with --vm, takes it from the cache and runs
# it in the virtual machine.
. "$(dirname "$0")/lib.sh"
export STAP_CACHE=$WORK/cache
mkdir -m 700 cache
# the runtime builds of the user's own cache, if any (checked against
# their MANIFEST as any entry): they save building the runtime here
home_cache=${XDG_CACHE_HOME:-$HOME/.cache}/stap
cp -a "$home_cache"/runtime-"$RELEASE"-* cache/ 2> /dev/null
script='probe begin { println("from the cache") exit() }'
"$STAP" -r "$RELEASE" -p4 -v -m mc_vm -e "$script" > out 2> err || fail "the build failed: $(cat err)"
grep -q '^Pass 4: compiled C into "mc_vm.ko"' err || fail "not built: $(cat err)"
timeout 250 "$STAP" --vm -v -m mc_vm -e "$script" > out 2> err || fail "the run failed: $(cat err)"
grep -q "^Pass 4: using cached $WORK/cache/module-[0-9a-f]\{40\}/mc_vm.ko$" err ||
	fail "the module was not taken from the cache: $(cat err)"
expect_file out "from the cache"
exit 0
