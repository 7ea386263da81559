# staprun -d NAME and -A NAME touch only a stap module: a module that is
# not one (testsuite/kmod's stap_testmod here, ext4 on a real machine)
# is neither attached to nor unloaded, nor is a name that is not loaded;
# a stap module left running with -F still is (staprun_detach).  staprun
# loads only a stap module, and unloads it by the name in its .modinfo:
# a stap module copied to ext4.ko is loaded and unloaded as itself.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
kb=/lib/modules/$RELEASE/build
[ -d "$kb" ] || { echo "skipped: no kernel headers in $kb"; exit 0; }
src=$(cd "$(dirname "$0")/../kmod" && pwd)
mkdir kmod && cp "$src/stap_testmod.c" "$src/stap_testmod_trace.h" "$src/Kbuild" kmod/
make -C "$kb" M="$WORK/kmod" > build.log 2>&1 || fail "stap_testmod did not build: $(tail build.log)"
"$STAP" -r "$RELEASE" -p4 -m fr -e 'probe end { println("end") }' > /dev/null 2> err ||
	fail "stap -p4: $(cat err)"
cp kmod/stap_testmod.ko .
cat > guest.sh <<'END'
insmod /extra/stap_testmod.ko
staprun -d stap_testmod; echo "d: $?"
staprun -A stap_testmod; echo "A: $?"
staprun -d no_such_module; echo "d: $?"
grep -c "^stap_testmod " /proc/modules
staprun /extra/stap_testmod.ko; echo "load: $?"
staprun -F /extra/fr.ko; echo "F: $?"
staprun -d fr; echo "d: $?"
grep -c "^fr " /proc/modules
mkdir /e && cp /extra/fr.ko /e/ext4.ko && staprun -T 1 /e/ext4.ko; echo "ext4.ko: $?"
grep -c "^fr " /proc/modules; true
END
"$vm" --script --extra stap_testmod.ko --extra fr.ko guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
expect_file out "d: 1
A: 1
d: 1
1
load: 1
F: 0
end
d: 0
0
end
ext4.ko: 0
0"
expect_file err "staprun: stap_testmod is not a stap module (it has no _stp_bulk_cpus parameter): not touching it
staprun: stap_testmod is not a stap module (it has no _stp_bulk_cpus parameter): not touching it
staprun: no module no_such_module is loaded
staprun: refusing to load /extra/stap_testmod.ko: it is not a stap module (no stap runtime in its .modinfo)
staprun: fr runs on in flight recorder mode: \"staprun -A fr\" shows its output, \"staprun -d fr\" stops it"
exit 0
