# A kernel probe the verifier refuses (a loop of 100000 turns is too many
# for it to walk): one error in script terms (the probe, its place, the
# verifier's reason and what to change), not the verifier's log; -v adds
# the log.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: BPF needs root"; exit 0; }
script='global n, m
probe kernel.trace("syscalls:sys_enter_getppid") {
	for (i = 0; i < 100000; i++) { if (i % 3) n++; if (i % 5 == 1) m[i % 7] = i }
}'
"$STAP" --bpf -p4 -D MAXACTION=100000 -e "$script" > out 2> err && fail "the program was loaded"
[ "$(wc -l < err)" = 2 ] || fail "not two lines: $(head -n 5 err)"
grep -q '^<input>:2:1: error: the kernel refused the BPF program of probe kernel.trace("syscalls:sys_enter_getppid"): .*MAXACTION.*(-v shows the verifier.s log)$' err ||
	fail "unexpected message: $(cat err)"
[ "$(sed -n 2p err)" = "Pass 4: compilation failed." ] || fail "second line: $(sed -n 2p err)"
"$STAP" --bpf -p4 -v -D MAXACTION=100000 -e "$script" > out 2> err && fail "loaded with -v"
[ "$(wc -l < err)" -gt 100 ] || fail "-v did not show the verifier's log: $(head -n 5 err)"
# the same loop with the default MAXACTION (1000 turns) loads
"$STAP" --bpf -p4 -e "$script" > out 2> err || fail "refused with MAXACTION 1000: $(cat err)"
echo ok
