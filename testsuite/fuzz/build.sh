#!/bin/sh
# build.sh - builds the fuzz target: the translator, compiled with AFL++'s
# instrumentation and with AddressSanitizer and UBSan, into work/stap-fuzz.
#
# Run `make` in the tree first: the generated translator/parser.c and
# translator/lexer.c are taken from there.  Usage: testsuite/fuzz/build.sh
# FUZZ_WORK=DIR builds in DIR instead of work/; FUZZ_BUILDDIR=DIR takes the
# generated files from DIR/translator (a build tree apart from the sources).
# An object is rebuilt only when its source or a header is newer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$here/work}
gen=${FUZZ_BUILDDIR:-$top}/translator
mkdir -p "$work/obj"
for f in parser.c lexer.c parser.h; do
	[ -f "$gen/$f" ] || { echo "build.sh: run make first (no $gen/$f)" >&2; exit 1; }
done

CC=${CC:-afl-clang-fast}
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
defs="-D_GNU_SOURCE -DSTAP_SRCDIR=\"$top\" -DSTAP_BUILDDIR=\"$top\" -DSTAP_VERSION=\"fuzz\"
	-DSTAP_VM_DIR=\"/var/lib/stap/vm\""
# the newest header: every object older than it is rebuilt
newest_h=$(ls -t "$top"/translator/*.h "$gen/parser.h" | head -n 1)
objs=
stale=
for src in "$top"/translator/*.c "$gen/parser.c" "$gen/lexer.c"; do
	obj=$work/obj/$(basename "$src" .c).o
	case " $objs " in *" $obj "*) continue ;; esac	# parser.c in-tree: once
	objs="$objs $obj"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		stale="$stale $src"
	fi
done
# the stale objects, FUZZ_JOBS (default 2) at a time
export CC flags defs top gen work
# shellcheck disable=SC2086
printf '%s\n' $stale | grep . | xargs -r -P "${FUZZ_JOBS:-2}" -I{} sh -c '
	src={}; obj=$work/obj/$(basename "$src" .c).o
	$CC $flags $defs -std=gnu11 -w -I"$top" -I"$top/translator" -I"$gen" \
		-I"$top/runtime" -c "$src" -o "$obj"' || exit 1
if [ -n "$stale" ] || [ ! -x "$work/stap-fuzz" ]; then
	# shellcheck disable=SC2086
	$CC $flags -o "$work/stap-fuzz" $objs -ldw -lelf -lbpf -llz4 -lzstd -llzma
	echo "built $work/stap-fuzz ($(printf '%s\n' $stale | grep -c .) objects compiled)"
fi
