# switch_file() with staprun -o FILE in the guest: what a probe printed
# before the call is in the file before, the rest in the next (FILE,
# FILE.1, FILE.2); with -S, FILE.N+1.  SIGUSR2 to stapio switches too,
# as in SystemTap.  Without -o the output is all on stdout.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m sw -e '
probe begin { println("one"); switch_file(); println("two") }
probe timer.ms(100) { println("three"); switch_file(); println("four"); exit() }' \
	> /dev/null 2> err || fail "stap -p4: $(cat err)"
"$STAP" -r "$RELEASE" -p4 -m usr2 -e '
probe begin { println("before") }
probe procfs("go").write { println("after") exit() }' > /dev/null 2> err ||
	fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
cd /tmp
staprun -o out /extra/sw.ko; echo "plain: $?"
for f in out out.1 out.2; do echo "$f:"; cat $f; done
staprun -o big -S 1 /extra/sw.ko; echo "-S: $?"
for f in big.0 big.1 big.2; do echo "$f:"; cat $f; done
staprun /extra/sw.ko; echo "stdout: $?"
staprun -o u /extra/usr2.ko & s=$!
until grep -q before u 2>/dev/null; do usleep 100000; done
kill -USR2 $(pidof stapio)
usleep 200000
echo x > /proc/systemtap/usr2/go; wait $s; echo "usr2: $?"
for f in u u.1; do echo "$f:"; cat $f; done
END
"$vm" --smp 1 --script --extra sw.ko --extra usr2.ko guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "plain: 0
out:
one
out.1:
two
three
out.2:
four
-S: 0
big.0:
one
big.1:
two
three
big.2:
four
one
two
three
four
stdout: 0
usr2: 0
u:
before
u.1:
after"
exit 0
