#!/bin/bash
# smoke.sh - the fuzz test of `make check`: fuzzes passes 1 and 2 for a
# bounded time, starting from every script in the tree, and fails when the
# translator crashed (a signal, a sanitizer report or a leak) or hung.
#
#   testsuite/fuzz/smoke.sh OUTDIR [SECONDS]      (default 60)
#
# Exit status: 0 passed, 1 failed (each finding printed with its input and
# the sanitizer's report, and kept in OUTDIR/findings), 77 skipped (no afl++).
# FUZZ_BUILDDIR=DIR: the build tree, when it is not the source tree; the
# instrumented translator is kept in DIR/testsuite/fuzz/work between runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1
secs=${2:-60}
builddir=${FUZZ_BUILDDIR:-$top}
export FUZZ_BUILDDIR=$builddir FUZZ_WORK=$builddir/testsuite/fuzz/work

for p in afl-fuzz afl-clang-fast; do
	if ! command -v $p > /dev/null; then
		echo "fuzz test skipped: no $p (install the Debian package afl++, as setup.sh does)"
		exit 77
	fi
done
"$here/build.sh" > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }

# the seeds: every script in the tree, named after its path
seeds=$out/seeds
rm -rf "$seeds" "$FUZZ_WORK/out"
mkdir -p "$seeds"
(cd "$top" && ls testsuite/*/*.stp tapsets/*.stp tapsets/*/*.stp examples/*.stp 2>/dev/null) |
while read -r f; do
	cp "$top/$f" "$seeds/$(tr / _ <<< "$f")"
done

# Calibrating 700 seeds would take the whole minute: each is calibrated
# when the fuzzer first takes it up.
AFL_NO_STARTUP_CALIBRATION=1 AFL_FAST_CAL=1 FUZZ_SEEDS=$seeds \
	"$here/run.sh" "$secs" > "$out/afl.log" 2>&1
rc=$?
stats=$FUZZ_WORK/out/default/fuzzer_stats
if [ $rc -ne 0 ] || [ ! -f "$stats" ]; then
	echo "afl-fuzz failed (exit $rc):"
	tail -n 20 "$out/afl.log"
	exit 1
fi
field() { sed -n "s/^$1 *: //p" "$stats"; }
echo "$(field execs_done) runs in $(field run_time) s from $(ls "$seeds" | wc -l) seeds," \
	"$(field corpus_found) new paths"

# Replays a finding with the same arguments as the fuzzer, symbolized.
# Prints the report and returns 0 if the run crashed or took longer than
# LIMIT seconds.
release=$(ls /lib/modules 2>/dev/null | grep cloud | sort | tail -n 1)
replay() {	# FILE LIMIT
	local rc
	(cd "$top" && STAP_RUNTIME=$top/runtime STAP_TAPSETS=$top/tapsets \
		ASAN_OPTIONS=detect_leaks=1:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout -s KILL "$2" "$FUZZ_WORK/stap-fuzz" ${release:+-r "$release"} -p2 "$1" 1 'x+1' \
		> /dev/null 2> "$out/replay.err")
	rc=$?
	if [ $rc -eq 137 ]; then
		echo "    it still runs after $2 s"
		return 0
	fi
	grep -qE 'Sanitizer|runtime error:' "$out/replay.err" || [ $rc -ge 128 ] || return 1
	echo "    exit status $rc:"
	grep -A 25 -E 'ERROR: |runtime error:' "$out/replay.err" | head -n 30 | sed 's/^/    /'
	return 0
}

findings=0
mkdir -p "$out/findings"
for kind in crashes hangs; do
	for f in "$FUZZ_WORK/out/default/$kind"/id:*; do
		[ -e "$f" ] || continue
		# a run over the 2 s limit on a loaded machine is not a hang unless
		# it still is one with five times the time
		limit=30
		[ $kind = hangs ] && limit=10
		report=$(replay "$f" $limit)
		if [ $? -ne 0 ] && [ $kind = hangs ]; then
			continue
		fi
		findings=$((findings + 1))
		keep=$out/findings/$kind-$findings.stp
		cp "$f" "$keep"
		what=crash
		[ $kind = hangs ] && what=hang
		echo "$what: $keep (afl-fuzz: $(basename "$f"))"
		echo "$report"
		[ -n "$report" ] || echo "    it did not crash when run again"
		echo "    the input:"
		head -c 2000 "$f" | cat -v | head -n 20 | sed 's/^/    | /'
	done
done
[ $findings -eq 0 ]
