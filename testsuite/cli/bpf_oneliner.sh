# The one-liner of issue 17, natively on this machine's kernel with --bpf:
# every system call counted by command name in the kernel, the top five
# printed after a second by a timer in user space.  A program of ours
# makes getppid(2) calls all along, so it must be in the table; the
# table is sorted by count, largest first, and has at most five lines.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: BPF needs root"; exit 0; }
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O2 -o "$WORK/stap_getppid" "$src/stap_getppid.c" || fail "cannot build the program"
"$WORK/stap_getppid" 200 loop &
busy=$!
trap 'kill $busy 2> /dev/null' EXIT
"$STAP" --bpf -e 'global n
probe kernel.trace("raw_syscalls:sys_enter") { n[execname()]++ }
probe timer.s(1) { foreach (k in n- limit 5) printf("%s %d\n", k, n[k]); exit() }' \
	> out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
lines=$(wc -l < out)
[ "$lines" -ge 1 ] && [ "$lines" -le 5 ] || fail "$lines lines, expected 1 to 5: $(cat out)"
grep -qvE '^[^ ]+ [0-9]+$' out && fail "a line is not 'NAME COUNT': $(cat out)"
sort -k2,2nr -s out | cmp -s - out || fail "not sorted by count, largest first: $(cat out)"
count=$(awk '$1 == "stap_getppid" { print $2 }' out)
[ -n "$count" ] || fail "stap_getppid is not in the table: $(cat out)"
# 200 calls a millisecond at most, for a second: thousands
[ "$count" -ge 1000 ] || fail "stap_getppid made only $count calls: $(cat out)"
echo "ok: $(tr '\n' ';' < out)"
