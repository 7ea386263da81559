#!/bin/sh
# build.sh - builds the fuzz target: the translator, compiled with AFL++'s
# instrumentation and with AddressSanitizer and UBSan, into work/stap-fuzz.
#
# Run `make` in the tree first: the generated translator/parser.c and
# translator/lexer.c are taken from there.  Usage: testsuite/fuzz/build.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$here/work
mkdir -p "$work/obj"
for f in parser.c lexer.c parser.h; do
	[ -f "$top/translator/$f" ] || { echo "build.sh: run make first (no translator/$f)" >&2; exit 1; }
done

CC=${CC:-afl-clang-fast}
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
defs="-D_GNU_SOURCE -DSTAP_SRCDIR=\"$top\" -DSTAP_BUILDDIR=\"$top\" -DSTAP_VERSION=\"fuzz\"
	-DSTAP_VM_DIR=\"/var/lib/stap/vm\""
objs=
for src in "$top"/translator/*.c; do
	obj=$work/obj/$(basename "$src" .c).o
	# shellcheck disable=SC2086
	$CC $flags $defs -std=gnu11 -w -I"$top" -I"$top/translator" -I"$top/runtime" \
		-c "$src" -o "$obj"
	objs="$objs $obj"
done
# shellcheck disable=SC2086
$CC $flags -o "$work/stap-fuzz" $objs -ldw -lelf
echo "built $work/stap-fuzz"
