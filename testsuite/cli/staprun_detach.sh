# staprun -F leaves a script running (flight recorder), its output kept in
# the module; "staprun -d NAME" stops it and prints what was kept and the
# end probes' output, and unloads it.  staprun -D runs in the background,
# writing -o FILE, until the pid it printed is killed.  stap -F refuses --vm.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
script='global n; probe timer.ms(50) { if (n++ < 3) printf("tick %d\n", n) }
probe end { printf("end, ticks >= 3: %d\n", n >= 3) }'
"$STAP" -r "$RELEASE" -p4 -m fr -e "$script" > /dev/null 2> err || fail "stap -p4: $(cat err)"
"$STAP" -r "$RELEASE" -p4 -m bg -e "$script" > /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
staprun -F /extra/fr.ko; echo "F: $?"
sleep 1; grep -c "^fr " /proc/modules
staprun -d fr; echo "d: $?"
grep -c "^fr " /proc/modules
pid=$(staprun -D -o /tmp/bg.out /extra/bg.ko)
sleep 1; kill $pid
while [ -d /proc/$pid ]; do usleep 100000; done
cat /tmp/bg.out; grep -c "^bg " /proc/modules; true
END
"$vm" --script --extra fr.ko --extra bg.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "F: 0
1
tick 1
tick 2
tick 3
end, ticks >= 3: 1
d: 0
0
tick 1
tick 2
tick 3
end, ticks >= 3: 1
0"
expect_file err 'staprun: fr runs on in flight recorder mode: "staprun -A fr" shows its output, "staprun -d fr" stops it'
"$STAP" --vm -F -e 'probe begin { }' > out 2> err && fail "-F with --vm was accepted"
grep -q "not in a --vm" err || fail "bad message: $(cat err)"
exit 0
