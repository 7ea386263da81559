#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# passes.sh - how long stap's compile passes take, and how big the module
# is, next to SystemTap 4.8 on the same scripts, kernel and machine.
#
#	bench/passes.sh [RUNS]		(default 5)
#
# Needs this tree built (make) and SystemTap 4.8 installed; no VM.  For
# a hello-world script (one begin probe) and a timer script, each
# translator runs RUNS times:
#  - `stap -p1`, `-p2`, `-p3`, `-p4 -m NAME`: the wall time of the whole
#    process (so -p2 is passes 1+2 with the tapset library loaded, as a
#    user waits for it), and its CPU time (user+sys, children such as
#    make and gcc included, from bash's `time`);
#  - the per-pass times that `stap -v` prints during the -p4 runs.
# Medians are reported.  Pass 4 runs with a warm cache: our runtime
# object (here in a fresh STAP_CACHE) or SystemTap's autoconf results
# (a fresh SYSTEMTAP_DIR); the first, cold build of each is reported
# apart.  Also: the number of tapset files each parses, `size`'s
# text, data and bss of each module, and how long kbuild takes to build
# an empty module (the floor under any pass 4).
#
# SystemTap's runtime is copied and patched at run time so that it
# builds against these headers (see lib.sh).  Wall times swing with the
# host's load (the report gives the load average); CPU times swing less.
# kbuild of the empty module runs in the same rounds as the translators,
# so that all see the same load.  The report is Markdown, on
# stdout; doc/performance.md quotes it.

set -eu
runs=${1:-5}
. "$(dirname "$0")/lib.sh"
bench_tmpdir
cd "$BENCH_TMP"
data=$BENCH_TMP/data

hello='probe begin { println("hello world") exit() }'
timer='global n; probe timer.ms(100) { if (++n == 3) exit() } probe end { printf("ticks=%d\n", n) }'

export STAP_CACHE=$BENCH_TMP/stap-cache
export SYSTEMTAP_DIR=$BENCH_TMP/systemtap-dir
# every -p4 here is a build: a module cache of 0 MiB keeps no module
# (SystemTap caches none built with -m); bench/modcache.sh times the hits
mkdir -p -m 700 "$STAP_CACHE" && echo 0 > "$STAP_CACHE/cache_mb_limit"
systemtap_runtime "$BENCH_TMP/runtime"

# timed TOOL LABEL KEY COMMAND...: runs COMMAND (its output in out.txt and
# err.txt) and records its wall and CPU (user+sys, children included) ms
timed() {
	local tool=$1 label=$2 key=$3 t
	shift 3
	t=$( { TIMEFORMAT='%R %U %S'; time "$@" > out.txt 2> err.txt; } 2>&1 ) ||
		{ echo "$tool $label: $* failed:" >&2; cat err.txt >&2; exit 1; }
	echo "$tool $label $key $t" |
		awk '{ printf "%s %s %s %.0f %.0f\n", $1, $2, $3, $4 * 1000, ($5 + $6) * 1000 }' >> "$data"
}

# translate TOOL LABEL KEY OPTIONS...: one timed run recorded as KEY;
# with -v, the pass times too
translate() {
	local tool=$1 label=$2 key=$3 cmd
	shift 3
	if [ "$tool" = ours ]; then
		cmd=("$STAP" -r "$RELEASE")
	else
		cmd=("$SYSTEMTAP" -R "$BENCH_TMP/runtime" -r "$RELEASE")
	fi
	timed "$tool" "$label" "$key" "${cmd[@]}" "$@"
	# "Pass 1: parsed user script and 484 library scripts using ... in
	#  390usr/70sys/1092real ms."
	sed -n 's/^Pass \([0-9]\):.* in \([0-9]*\)usr\/\([0-9]*\)sys\/\([0-9]*\)real ms\.$/\1 \4 \2 \3/p' err.txt |
	while read -r pass real usr sys; do
		echo "$tool $label pass$pass $real $((usr + sys))" >> "$data"
	done
	sed -n 's/^Pass 1: parsed user script and \([0-9]*\) library scripts.*/\1/p' err.txt > "tapsets-$tool"
}

# The first builds: our runtime object and SystemTap's autoconf tests.
for tool in ours systemtap; do
	translate $tool cold p4 -v -p4 -m cold_$tool -e "$hello"
done

# kbuild alone: an empty module, built from scratch each time, in the
# same rounds as the translators so that it sees the same load.
mkdir empty
printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' > empty/empty.c
echo 'obj-m := empty.o' > empty/Kbuild

for i in $(seq "$runs"); do
	for tool in ours systemtap; do
		for label in hello timer; do
			script=${!label}
			for p in 1 2 3; do
				translate $tool $label p$p -p$p -e "$script"
			done
			translate $tool $label p4 -v -p4 -m ${label}_${tool}_$i -e "$script"
		done
	done
	rm -f empty/*.o empty/*.ko empty/*.mod* empty/.*.cmd
	timed kbuild empty build make -s -C "/lib/modules/$RELEASE/build" \
		M="$BENCH_TMP/empty" modules
done

# med TOOL LABEL WHAT [COLUMN]: a median from data (4: wall ms, 5: CPU ms)
med() {
	awk -v t="$1" -v l="$2" -v w="$3" -v c="${4:-4}" \
		'$1 == t && $2 == l && $3 == w { print $c }' "$data" | median
}

sizes() {
	size "$1" | awk 'NR == 2 { printf "%d | %d | %d | %d", $1 + $2, $1, $2, $3 }'
}

machine_report
echo "# $runs runs of each, medians; ms"
echo
echo "Whole process, wall (CPU) time; -p2 is passes 1+2 with the tapset library:"
echo
echo "| script | translator | -p1 | -p2 | -p3 | -p4 |"
echo "|---|---|---|---|---|---|"
for label in hello timer; do
	for tool in ours systemtap; do
		row="| $label | $tool"
		for p in p1 p2 p3 p4; do
			row="$row | $(med $tool $label $p) ($(med $tool $label $p 5))"
		done
		echo "$row |"
	done
done
echo
echo "Per pass, as \`stap -v\` prints them during the -p4 runs: wall (CPU):"
echo
echo "| script | translator | pass 1 | pass 2 | pass 3 | pass 4 |"
echo "|---|---|---|---|---|---|"
for label in hello timer; do
	for tool in ours systemtap; do
		row="| $label | $tool"
		for p in 1 2 3 4; do
			row="$row | $(med $tool $label pass$p) ($(med $tool $label pass$p 5))"
		done
		echo "$row |"
	done
done
echo
echo "Module size (\`size\`, bytes):"
echo
echo "| script | translator | text+data | text | data | bss |"
echo "|---|---|---|---|---|---|"
for label in hello timer; do
	for tool in ours systemtap; do
		echo "| $label | $tool | $(sizes ${label}_${tool}_1.ko) |"
	done
done
echo
echo "| | ours | systemtap |"
echo "|---|---|---|"
echo "| first (cold) build of hello: pass 4, wall (CPU) | $(med ours cold pass4) ($(med ours cold pass4 5)) | $(med systemtap cold pass4) ($(med systemtap cold pass4 5)) |"
echo "| first (cold) build of hello: whole -p4, wall (CPU) | $(med ours cold p4) ($(med ours cold p4 5)) | $(med systemtap cold p4) ($(med systemtap cold p4 5)) |"
echo "| tapset files parsed in pass 1 | $(cat tapsets-ours) | $(cat tapsets-systemtap) |"
echo "| tapset files installed | $(ls "$TOP"/tapsets/*.stp | wc -l) | $(find /usr/share/systemtap/tapset -name '*.stp' | wc -l) |"
echo "| kbuild of an empty module (no stap), wall (CPU) | $(med kbuild empty build) ($(med kbuild empty build 5)) | |"
