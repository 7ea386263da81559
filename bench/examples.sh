#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# examples.sh - how many of SystemTap's shipped example scripts our stap
# builds, and why the others do not.
#
#	bench/examples.sh DIR [PASS [FILTER]]
#
# DIR is a copy of SystemTap's testsuite/systemtap.examples folder (one
# CATEGORY/NAME.meta per script; its "test_check:" line is the build
# command upstream uses, run from the script's folder).  Each command runs
# with this tree's translator in place of "stap", stopped after pass PASS
# (default 4; 2 is much faster), with a 120 s limit.  FILTER (a regular
# expression) keeps only the scripts whose CATEGORY/NAME matches.
#
# Prints one line per script, "ok NAME" or "FAIL NAME: first error line",
# then "N of M build" as the last line.  STAP_EXAMPLES_JOBS runs that many
# at once (default 2).  Each command runs in a temporary folder of links to
# its script's folder, so that the modules it builds are not left in DIR,
# which is not written to; STAP_EXAMPLES_LOGS
# names a folder that keeps each script's output (CATEGORY_NAME.log).
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH")
STAP=${STAP:-$TOP/translator/stap}
dir=${1:?usage: examples.sh DIR [PASS [FILTER]]}
pass=${2:-4}
filter=${3:-.}
jobs=${STAP_EXAMPLES_JOBS:-2}
dir=$(cd "$dir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stap-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The kernel: STAP_EXAMPLES_RELEASE, or the VM's (its default, or else the
# newest in $STAP_VM_DIR, /var/lib/stap/vm by default) when it has headers and
# debuginfo, or else the first under /lib/modules that has both, since this
# host's own kernel may have neither (and other kernels may be installed).
has_build() {
	[ -e "/lib/modules/$1/build/Makefile" ] && [ -e "/usr/lib/debug/boot/vmlinux-$1" ]
}
vm_dir=${STAP_VM_DIR:-/var/lib/stap/vm}
vm_release=$(cat "$vm_dir/default" 2> /dev/null ||
	(cd "$vm_dir" 2> /dev/null && ls -d */ | tr -d / | sort | tail -n 1))
if [ -n "$vm_release" ] && has_build "$vm_release"; then
	default_release=$vm_release
else
	default_release=$(cd /lib/modules && for r in *; do
		has_build "$r" && echo "$r"; done | head -n 1)
fi
release=${STAP_EXAMPLES_RELEASE:-$default_release}
release_opt=${release:+-r $release}

# "stap" in the commands is a shell function that runs this tree's
# translator, so that a test_check line with its own quoting and
# redirections runs as written, and `which stap` (for -d) still names an
# ELF file: the translator's, first on the PATH.  Options the meta adds
# stay; its -pN, alone or after flags (-gp4), becomes ours, unless it
# stops earlier (-gp1: upstream checks only that pass).
stap() {
	local args=() a p
	for a in "$@"; do
		case $a in
		-p[0-9]) p=${a#-p}; args+=("-p$(( p < pass ? p : pass ))") ;;
		-[gvwuk]*p[0-9]) p=${a: -1}; args+=("${a%p[0-9]}" "-p$(( p < pass ? p : pass ))") ;;
		*) args+=("$a") ;;
		esac
	done
	"$STAP" $release_opt "${args[@]}"
}
export -f stap
export STAP release_opt pass
STAP_PATH="$(cd "$(dirname "$STAP")" && pwd):$PATH"

run_one() {
	local meta=$1 name cmd out folder
	name=${meta#"$dir"/}
	name=${name%.meta}
	cmd=$(sed -n 's/^test_check: *//p' "$meta" | head -n 1)
	[ -n "$cmd" ] || return 0
	folder=$(dirname "$meta")
	out="$tmp/$(echo "$name" | tr / _).log"
	# run in a folder of links to the script's, where -p4 leaves its module
	run="$tmp/run-$(echo "$name" | tr / _)"
	mkdir "$run" && cp -rs "$folder"/. "$run" || return 1
	if (cd "$run" && PATH=$STAP_PATH timeout 120 \
		bash -c "$cmd" < /dev/null > "$out" 2>&1); then
		echo "ok $name"
	else
		echo "FAIL $name: $(grep -m1 -E 'error|ERROR|Segmentation|Abort' "$out" ||
			tail -n 1 "$out")"
	fi
	rm -rf "$run"
}
export -f run_one
export dir tmp STAP_PATH

find "$dir" -name '*.meta' | sort | grep -E "$filter" |
	xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} > "$tmp/results"
sort -k2 "$tmp/results"
if [ -n "${STAP_EXAMPLES_LOGS:-}" ]; then
	mkdir -p "$STAP_EXAMPLES_LOGS" && cp "$tmp"/*.log "$STAP_EXAMPLES_LOGS"
fi
ok=$(grep -c '^ok ' "$tmp/results")
all=$(grep -c -E '^(ok|FAIL) ' "$tmp/results")
echo "$ok of $all build (pass $pass)"
