# doc/tapsets.md is the reference doc/gen-tapset-ref makes from the tapsets'
# doc comments: it must be current, every function, probe alias and macro
# of the tapsets must have a doc comment, and no comment may name an @arg
# twice.  The generated tapsets (tapsets/gen-syscalls) are in the build tree.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
dirs=$top/tapsets
gen=$(cd "$(dirname "$STAP")/../tapsets" && pwd)
[ "$gen" = "$dirs" ] || dirs="$dirs $gen"
"$top/doc/gen-tapset-ref" $dirs > ref.md 2> err || fail "doc/gen-tapset-ref failed: $(cat err)"
cmp -s ref.md "$top/doc/tapsets.md" ||
	fail "doc/tapsets.md is not current: run doc/gen-tapset-ref > doc/tapsets.md
$(diff "$top/doc/tapsets.md" ref.md | head -20)"
# public names (not _private) defined in the tapsets, and those documented:
# functions, probe aliases ("probe NAME =", not a tapset's own probes such
# as begin(N) or procfs("file")), and macros, documented as @NAME
{
	for d in $dirs; do cat "$d"/*.stp; done |
		grep -oE '^(function[ \t]+[a-zA-Z0-9_]+|probe[ \t]+[a-zA-Z0-9_.*]+[ \t]*\+?=)' |
		awk '{ print $2 }' | sed 's/[:+=].*//' | grep -v '^_'
	grep -hoE '^@define[ \t]+[a-zA-Z0-9_]+' "$top"/tapsets/*.stpm |
		awk '{ print $2 }' | grep -v '^_' | sed 's/^/@/'
} | sort -u > defined
grep -E '^### ' ref.md | sed 's/^### //' | sort -u > documented
missing=$(comm -23 defined documented)
[ -z "$missing" ] || fail "tapset names without a doc comment: $(echo $missing)"
exit 0
