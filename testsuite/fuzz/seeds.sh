#!/bin/sh
# seeds.sh - remakes seeds/ from the host test scripts: every parse-ok,
# parse-fail, semantic-ok and semantic-fail script, minimized with afl-cmin
# to the smallest set that keeps the coverage of them all.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$here/work
[ -x "$work/stap-fuzz" ] || "$here/build.sh"
rm -rf "$work/allseeds" "$work/minseeds"
mkdir -p "$work/allseeds"
for d in parse-ok parse-fail semantic-ok semantic-fail; do
	for f in "$top/testsuite/$d"/*.stp; do
		cp "$f" "$work/allseeds/$d-$(basename "$f")"
	done
done
release=$(ls /lib/modules 2>/dev/null | grep cloud | sort | tail -n 1)
export STAP_RUNTIME="$top/runtime" STAP_TAPSETS="$top/tapsets"
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
afl-cmin -i "$work/allseeds" -o "$work/minseeds" -m none -t 5000 -- \
	"$work/stap-fuzz" ${release:+-r "$release"} -p2 @@ 1 'x+1'
rm -rf "$here/seeds"
mv "$work/minseeds" "$here/seeds"
echo "seeds/: $(ls "$here/seeds" | wc -l) scripts"
