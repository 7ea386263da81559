#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# modcache.sh - how long `stap -p4` of a script takes when its module is
# already in the cache, next to SystemTap 4.8's cache on the same script.
#
#	bench/modcache.sh [RUNS]		(default 5)
#
# Needs this tree built and SystemTap 4.8 installed; no VM.  Each
# translator gets a fresh cache (STAP_CACHE, seeded with the runtime
# builds of the user's cache when there are any, so that the first run
# is a module build, not a runtime build; SYSTEMTAP_DIR for SystemTap,
# whose first run also runs its autoconf tests).  Then hello world is
# built once (the miss) and RUNS more times (hits), each process timed by
# /usr/bin/time: wall seconds and peak RSS.  The report, on stdout, gives
# the miss and the median hit; doc/performance.md quotes it.

set -eu
runs=${1:-5}
. "$(dirname "$0")/lib.sh"
bench_tmpdir
cd "$BENCH_TMP"
export STAP_CACHE=$BENCH_TMP/stap-cache
export SYSTEMTAP_DIR=$BENCH_TMP/systemtap-dir
mkdir -m 700 "$STAP_CACHE" "$SYSTEMTAP_DIR"
home_cache=${XDG_CACHE_HOME:-$HOME/.cache}/stap
cp -a "$home_cache"/runtime-"$RELEASE"-* "$STAP_CACHE"/ 2> /dev/null || true
systemtap_runtime "$BENCH_TMP/runtime"
hello='probe begin { println("hi") exit() }'

# timed NAME CMD...: "wall_s peak_kb" of one run, appended to NAME
timed() {
	local name=$1; shift
	/usr/bin/time -f '%e %M' -o t.txt "$@" > out.txt 2> err.txt ||
		{ echo "failed: $*" >&2; cat err.txt >&2; exit 1; }
	cat t.txt >> "$name"
}

machine_report
for who in ours systemtap; do
	if [ $who = ours ]; then cmd=("$STAP" -r "$RELEASE" -p4 -e "$hello")
	else cmd=("$SYSTEMTAP" -R "$BENCH_TMP/runtime" -r "$RELEASE" -p4 -e "$hello"); fi
	timed "$who.miss" "${cmd[@]}"
	for i in $(seq "$runs"); do timed "$who.hit" "${cmd[@]}"; done
	"${cmd[@]}" -v > /dev/null 2> "$who.v" || true
done
echo
echo "| translator | first -p4 (build), wall s | peak MB | cached -p4, median wall s | peak MB |"
echo "|---|---|---|---|---|"
for who in ours systemtap; do
	miss=$(cut -d' ' -f1 "$who.miss"); missm=$(( $(cut -d' ' -f2 "$who.miss") / 1024 ))
	hit=$(cut -d' ' -f1 "$who.hit" | median)
	hitm=$(( $(cut -d' ' -f2 "$who.hit" | median | cut -d. -f1) / 1024 ))
	echo "| $who | $miss | $missm | $hit | $hitm |"
done
echo
for who in ours systemtap; do
	echo "$who, stap -v of a cached run:"
	sed -e 's/^/    /' -e "s,$BENCH_TMP,TMP,g" "$who.v"
done
