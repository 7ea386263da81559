# -G VAR=VALUE sets a global, number or string, when the module is loaded
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -G count=42 -G name=changed -e 'global count = 1, name = "default", kept = 3
probe begin { printf("%d %s %d\n", count, name, kept); exit() }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "42 changed 3"
