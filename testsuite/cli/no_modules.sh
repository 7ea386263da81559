# On a kernel that cannot load modules, stap says so in one line and suggests --vm.
. "$(dirname "$0")/lib.sh"
[ -e /proc/modules ] && { echo "skipped: this kernel loads modules"; exit 0; }
"$STAP" -r "$(uname -r)" -p3 -e 'probe begin { exit() }' > /dev/null 2>&1 || true
"$STAP" -e 'probe begin { exit() }' > out 2> err && fail "stap succeeded without --vm"
grep -q "cannot load modules.*--vm" err || fail "unexpected message: $(cat err)"
