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
# at once (default 2).  Nothing of DIR is copied or kept.
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

# The kernel: STAP_EXAMPLES_RELEASE, or the VM's default (VM_DIR/default),
# or the first with headers under /lib/modules, since this host's own
# kernel may have none.
vm_default=${STAP_VM_DIR:-/var/lib/stap/vm}/default
release=${STAP_EXAMPLES_RELEASE:-$(head -n 1 "$vm_default" 2> /dev/null ||
	cd /lib/modules && for r in *; do
	[ -e "$r/build/Makefile" ] && echo "$r"; done | head -n 1)}
release_opt=${release:+-r $release}

# A "stap" on the PATH of the commands that is this tree's translator, so
# that a test_check line with its own quoting and redirections runs as
# written.  Options the meta adds stay; -pN is replaced by ours.
mkdir "$tmp/bin"
cat > "$tmp/bin/stap" << EOF
#!/bin/bash
args=()
for a in "\$@"; do
	case \$a in -p[0-9]) args+=("-p$pass") ;; *) args+=("\$a") ;; esac
done
exec "$STAP" $release_opt "\${args[@]}"
EOF
chmod +x "$tmp/bin/stap"

run_one() {
	local meta=$1 name cmd out folder
	name=${meta#"$dir"/}
	name=${name%.meta}
	cmd=$(sed -n 's/^test_check: *//p' "$meta" | head -n 1)
	[ -n "$cmd" ] || return 0
	folder=$(dirname "$meta")
	out="$tmp/$(echo "$name" | tr / _).log"
	if (cd "$folder" && PATH="$tmp/bin:$PATH" timeout 120 \
		bash -c "$cmd" < /dev/null > "$out" 2>&1); then
		echo "ok $name"
	else
		echo "FAIL $name: $(grep -m1 -E 'error|ERROR|Segmentation|Abort' "$out" ||
			tail -n 1 "$out")"
	fi
}
export -f run_one
export dir tmp

find "$dir" -name '*.meta' | sort | grep -E "$filter" |
	xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} > "$tmp/results"
sort -k2 "$tmp/results"
ok=$(grep -c '^ok ' "$tmp/results")
all=$(grep -c -E '^(ok|FAIL) ' "$tmp/results")
echo "$ok of $all build (pass $pass)"
