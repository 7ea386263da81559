# A module that does not load: one line with the reason, status 1, nothing left loaded.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -e 'probe begin { exit() }' -p4 -m not_a_module > /dev/null 2> err || fail "$(cat err)"
printf 'this is not an ELF file\n' > broken.ko
"$(dirname "$STAP")/../vm/stap-vm" broken.ko > out 2> err && fail "a broken module loaded"
grep -q "^staprun: cannot load module broken.ko: " err || fail "unexpected message: $(cat err)"
