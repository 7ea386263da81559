#!/bin/sh
# seeds.sh - remakes seeds/ from every script in the tree: the tests'
# (testsuite/*/*.stp), the tapsets and examples/, minimized with afl-cmin to
# the smallest set that keeps the coverage of them all.
#
#   testsuite/fuzz/seeds.sh [DIR]     (default: seeds/)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$here/work}
dest=${1:-$here/seeds}
[ -x "$work/stap-fuzz" ] || "$here/build.sh"
rm -rf "$work/allseeds" "$work/minseeds"
mkdir -p "$work/allseeds"
# each copy named after its path: testsuite/run/foo.stp -> testsuite_run_foo.stp
(cd "$top" && ls testsuite/*/*.stp tapsets/*.stp tapsets/*/*.stp examples/*.stp 2>/dev/null) |
while read -r f; do
	cp "$top/$f" "$work/allseeds/$(echo "$f" | tr / _)"
done
release=$(ls /lib/modules 2>/dev/null | grep cloud | sort | tail -n 1)
export STAP_RUNTIME="$top/runtime" STAP_TAPSETS="$top/tapsets"
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
export AFL_NO_AFFINITY=1
afl-cmin -i "$work/allseeds" -o "$work/minseeds" -m none -t 5000 -- \
	"$work/stap-fuzz" ${release:+-r "$release"} -p2 @@ 1 'x+1' > "$work/cmin.log" 2>&1 ||
	{ tail -n 20 "$work/cmin.log" >&2; exit 1; }
rm -rf "$dest"
mv "$work/minseeds" "$dest"
echo "$(basename "$dest")/: $(ls "$dest" | wc -l) of $(ls "$work/allseeds" | wc -l) scripts"
