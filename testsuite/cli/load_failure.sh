# A module that does not load: one line with the reason, status 1, nothing left loaded.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -e 'probe begin { exit() }' -p4 -m not_a_module > /dev/null 2> err || fail "$(cat err)"
printf 'this is not an ELF file\n' > broken.ko
"$(dirname "$STAP")/../vm/stap-vm" broken.ko > out 2> err && fail "a broken module loaded"
# staprun reads the module's .modinfo before the kernel sees it
expect_file err "staprun: refusing to load broken.ko: it is not a stap module (no stap runtime in its .modinfo)"
