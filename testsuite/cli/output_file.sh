# -o FILE: the script's output goes to FILE, nothing to stdout.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -o result.txt -e 'probe begin { printf("to the file\n"); exit() }' > out 2> err ||
	fail "stap failed: $(cat err)"
[ -s out ] && fail "stdout is not empty: $(cat out)"
expect_file result.txt "to the file"
