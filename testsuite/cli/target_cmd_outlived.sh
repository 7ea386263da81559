# -c CMD when the script stops first: the command is ended (SIGTERM) and
# stap returns at once, not when the command would have finished.
. "$(dirname "$0")/lib.sh"
start=$(date +%s)
"$STAP" --vm -c 'sleep 300' -e 'probe timer.ms(100) { printf("target running: %d\n", target() > 0); exit() }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "target running: 1"
[ $(( $(date +%s) - start )) -lt 120 ] || fail "stap waited for the command"
exit 0
