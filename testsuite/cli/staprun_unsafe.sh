# staprun refuses a module that someone other than root may have written:
# a group- or world-writable file, or one in a world-writable directory
# without the sticky bit; nothing is left loaded.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m unsafe_test -e 'probe begin { println("ran"); exit() }' > /dev/null 2> err ||
	fail "stap -p4 failed: $(cat err)"
cat > guest.sh <<'END'
mkdir -p /w /s && cp /extra/unsafe_test.ko /w/ && cp /extra/unsafe_test.ko /s/
chmod 666 /w/unsafe_test.ko; staprun /w/unsafe_test.ko; echo "status $?"
chmod 644 /w/unsafe_test.ko; chmod 777 /w; staprun /w/unsafe_test.ko; echo "status $?"
chmod 1777 /s; staprun /s/unsafe_test.ko; echo "status $?"
grep -c unsafe_test /proc/modules; true
END
"$vm" --script --extra unsafe_test.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "status 1
status 1
ran
status 0
0"
expect_file err "staprun: refusing to load /w/unsafe_test.ko: others than its owner may write it (mode 666)
staprun: refusing to load /w/unsafe_test.ko: anyone may replace it in /w (world-writable, no sticky bit)"
exit 0
