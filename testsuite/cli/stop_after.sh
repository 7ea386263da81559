# -T SECONDS: the script stops after that long, end probes run, status 0.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -T 1 -e 'global n; probe timer.ms(10) { n++ } probe end { printf("stopped, ticks>=50: %d\n", n >= 50) }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "stopped, ticks>=50: 1"
exit 0
