# Every examples/*.stp really runs in the VM: for 2 seconds (-T 2) while a
# command gives it something to see, ending with status 0, some output and
# no error.  (run-tests' "examples" kind builds them on the host too.)
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
work='ls -R /proc/self > /dev/null; cat /proc/cpuinfo /proc/kallsyms > /dev/null; mkdir -p /tmp/e; echo x > /tmp/e/f; cat /tmp/e/f /nonexistent; sleep 1'
bad=
for f in "$top"/examples/*.stp; do
	name=$(basename "$f" .stp)
	"$STAP" --vm -T 2 -c "$work" "$f" > "$name.out" 2> "$name.err" < /dev/null
	status=$?
	if [ $status != 0 ] || [ ! -s "$name.out" ] || grep -q "ERROR" "$name.err" "$name.out"; then
		bad="$bad
$name: status $status, $(wc -l < "$name.out") lines; stderr: $(head -n 5 "$name.err")"
	fi
done
[ -z "$bad" ] || fail "examples that did not run cleanly:$bad"
exit 0
