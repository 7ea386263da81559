# -v prints each pass's time and memory; -vv adds, as SystemTap's does, the
# target kernel, each tapset directory searched and each probe resolved;
# --vp ABCDE raises the verbosity of one pass at a time.
. "$(dirname "$0")/lib.sh"
# expect_lines FILE REGEX...: FILE has as many lines, each matching its regex
expect_lines() {
	local file=$1 i=0 line
	shift
	[ "$(wc -l < "$file")" -eq $# ] || fail "$file has $(wc -l < "$file") lines, not $#: $(cat "$file")"
	while IFS= read -r line; do
		i=$((i + 1))
		[[ $line =~ ^${!i}$ ]] || fail "line $i of $file: '$line' does not match '${!i}'"
	done < "$file"
}
N='[0-9]+'
usage="using ${N}virt/${N}res/${N}shr/${N}data kb, in ${N}usr/${N}sys/${N}real ms\\."
pass1="Pass 1: parsed user script and $N library scripts $usage"
pass2="Pass 2: analyzed script: 2 probes, 1 function, 1 embed, 1 global $usage"
script='global n probe begin, end { n++; if (n > 1) exit() }'

"$STAP" -v -p2 -r "$RELEASE" -e "$script" > out 2> err || fail "-v: $(cat err)"
expect_lines err "$pass1" "$pass2"

"$STAP" -p2 -e "$script" -vv -r "$RELEASE" > out 2> err || fail "-vv: $(cat err)"
expect_lines err "Session arch: x86_64 release: $RELEASE" \
	"Build tree: \"/lib/modules/$RELEASE/build\"" \
	"Searched for library macro files: \".*/tapsets\", found: $N, processed: $N" \
	"Searched: \".*/tapsets\", found: $N, processed: $N" \
	"$pass1" \
	'derived probe begin from begin at <input>:1:10' \
	'derived probe end from end at <input>:1:10' \
	"$pass2"

"$STAP" -p2 -r "$RELEASE" --vp 02 -e "$script" > out 2> err || fail "--vp 02: $(cat err)"
expect_lines err 'derived probe begin from begin at <input>:1:10' \
	'derived probe end from end at <input>:1:10' "$pass2"

"$STAP" -p2 -r "$RELEASE" --vp 0x -e "$script" > out 2> err && fail "--vp 0x was accepted"
expect_file err "stap: error: --vp takes 1 to 5 digits, a verbosity for each pass, not '0x'"
exit 0
