# -c CMD when the script stops first and the command ignores SIGTERM:
# stapio waits 5 s for it, then kills it, and stap returns; it does not
# wait for the command to finish (300 s).
. "$(dirname "$0")/lib.sh"
start=$(date +%s)
"$STAP" --vm -c "trap '' TERM; exec sleep 300" \
	-e 'probe timer.ms(100) { printf("target running: %d\n", target() > 0); exit() }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "target running: 1"
[ -s err ] && fail "stderr: $(cat err)"
[ $(( $(date +%s) - start )) -lt 120 ] || fail "stap waited for the command"
exit 0
