# lib.sh - helpers for the command-line tests; each test sources it.
# run-tests sets STAP (the stap binary), WORK (a fresh directory) and RELEASE
# (the VM kernel), and runs each test with bash.
set -u
cd "$WORK" || exit 1
fail() { echo "$*"; exit 1; }
# expect_file FILE TEXT: FILE holds exactly TEXT (and a newline)
expect_file() {
	printf '%s\n' "$2" > "$WORK/expected"
	cmp -s "$WORK/expected" "$1" || { echo "$1 differs:"; diff "$WORK/expected" "$1"; exit 1; }
}
