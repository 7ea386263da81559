# stap -b (bulk mode): staprun writes each CPU's output to a file of its
# own, stpd_cpuN or FILE_cpuN with -o FILE, and stap-merge puts the lines
# back in the order they were printed.  Two CPUs, both kept busy so that
# timer.profile fires on both (a tick that finds n's lock held too long is
# skipped: -w hides the warning, MAXSKIPPED keeps it from stopping the
# script).  Each line is numbered under n's lock and sent while it is
# held, so that 1, 2, 3 ... is the order printed.
. "$(dirname "$0")/lib.sh"
bin=$(dirname "$STAP")/..
vm=$bin/vm/stap-vm
cp "$bin/stapio/stap-merge" . || fail "no stap-merge"
"$STAP" -g -b -D MAXSKIPPED=100000 -r "$RELEASE" -p4 -m bulk -e 'global n
function flush() %{ if (CONTEXT->out.len) stp_flush_output(CONTEXT); %}
probe timer.profile {
	if (n < 300) {
		n++
		printf("%d %d\n", n, cpu())
		flush()
	} else
		exit()
}' > /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
mkdir /tmp/bulk && cd /tmp/bulk
(while :; do :; done) & a=$!
(while :; do :; done) & b=$!
staprun -w /extra/bulk.ko; echo "staprun: $?"
staprun -w -o run /extra/bulk.ko; echo "staprun -o: $?"
kill $a $b
ls -1
m=/extra/stap-merge
$m > merged; echo "stap-merge: $?"
awk '$1 != NR { bad++ } END { print NR " lines, " bad + 0 " out of order" }' merged
for c in 0 1; do
	$m stpd_cpu$c | awk -v c=$c '$2 != c { bad++ }
		END { print "cpu" c ": " (NR > 0 ? "some" : "no") " lines, " bad + 0 " from elsewhere" }'
done
$m run_cpu1 run_cpu0 | awk '$1 != NR { bad++ } END { print "-o: " NR " lines, " bad + 0 " out of order" }'
END
STAP_VM_SMP=2 "$vm" --script --extra bulk.ko --extra stap-merge guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
expect_file out "staprun: 0
staprun -o: 0
run_cpu0
run_cpu1
stpd_cpu0
stpd_cpu1
stap-merge: 0
300 lines, 0 out of order
cpu0: some lines, 0 from elsewhere
cpu1: some lines, 0 from elsewhere
-o: 300 lines, 0 out of order"
[ -s err ] && fail "stderr: $(cat err)"

# stap-merge on the host: the format, and what it refuses
printf 'stpbulk1' > stpd_cpu0
printf 'stpbulk1' > stpd_cpu1
rec() {	# FILE SEQ CPU TEXT: append a record (little-endian)
	printf "$(printf '\\x%02x' $(( $2 & 255 )) $(( ($2 >> 8) & 255 )) 0 0 0 0 0 0 \
		${#4} 0 0 0 $3 0 0 0)%s" "$4" >> "$1"
}
rec stpd_cpu1 1 1 "one "
rec stpd_cpu0 2 0 "two "
rec stpd_cpu0 7 0 "three "
rec stpd_cpu1 300 1 $'four\n'
./stap-merge > merged 2> err || fail "stap-merge failed: $(cat err)"
expect_file merged "one two three four"
./stap-merge -v -o merged2 stpd_cpu0 stpd_cpu1 2> err || fail "stap-merge -v failed: $(cat err)"
cmp -s merged merged2 || fail "-o differs: $(cat merged2)"
expect_file err "cpu 1 seq 1 len 4
cpu 0 seq 2 len 4
cpu 0 seq 7 len 6
cpu 1 seq 300 len 5"
printf 'stpbulk1' > dup
rec dup 2 1 "two again"
./stap-merge stpd_cpu0 dup > /dev/null 2> err && fail "a repeated sequence number was accepted"
expect_file err "stap-merge: stpd_cpu0 and dup both hold sequence number 2"
rec stpd_cpu1 7 1 "back"
./stap-merge > /dev/null 2> err && fail "a decreasing sequence number was accepted"
expect_file err "stap-merge: stpd_cpu1: sequence number 7 after 300"
printf 'hello' > plain
./stap-merge plain > /dev/null 2> err && fail "a plain file was accepted"
expect_file err "stap-merge: plain is not a per-CPU output file of stap -b"
head -c 47 stpd_cpu0 > cut
./stap-merge cut > /dev/null 2> err && fail "a cut-off file was accepted"
expect_file err "stap-merge: cut: cut off in a record of 6 bytes"

# stap -b needs the files where the module runs, and does not switch them
"$STAP" --vm -b -e 'probe begin { exit() }' > /dev/null 2> err && fail "-b with --vm was accepted"
grep -q "not with --vm" err || fail "bad message: $(cat err)"
"$STAP" -b -o x -S 1 -p2 -e 'probe begin { exit() }' > /dev/null 2> err && fail "-b -S was accepted"
expect_file err "stap: error: -S cannot be used with -b: the per-CPU files are not switched"
exit 0
