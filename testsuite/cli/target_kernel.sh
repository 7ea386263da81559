# On a machine whose kernel cannot load modules, -l, -L, -p2 and -p4
# without -r do not target that kernel silently: they target the VM's
# kernel, and say so once (-p1 too, silently: it builds nothing); with no
# VM kernel installed they target this one, and when that fails they say
# which kernel it was and what to do.
# -r and --vm choose themselves, without a word.
. "$(dirname "$0")/lib.sh"
[ -e /proc/modules ] && { echo "skipped: this kernel loads modules"; exit 0; }
host=$(uname -r)
note="stap: note: this machine's kernel ($host) cannot load modules: targeting the VM's kernel $RELEASE (-r RELEASE chooses another)"

"$STAP" -p2 -e 'probe begin { }' > out 2> err || fail "-p2: $(cat err)"
expect_file err "$note"
"$STAP" -p1 -e 'probe begin { println(%( kernel_vr == "'"$RELEASE"'" %? "vm" %: "other" %)) }' > out 2> err ||
	fail "-p1: $(cat err)"
grep -q '"vm"' out || fail "the target is not the VM's kernel: $(cat out)"
[ -s err ] && fail "-p1, which builds nothing, said: $(cat err)"
"$STAP" -l 'kernel.function("vfs_read")' > out 2> err || fail "-l: $(cat err)"
expect_file err "$note"
grep -q '^kernel.function("vfs_read@' out || fail "-l: $(cat out)"

"$STAP" -r "$RELEASE" -p2 -e 'probe begin { }' > out 2> err || fail "-r: $(cat err)"
[ -s err ] && fail "-r said: $(cat err)"

# no VM kernel: this one, and on failure which it was
mkdir novm
STAP_VM_DIR=$WORK/novm "$STAP" -p2 -e 'probe begin { }' > out 2> err || fail "no VM kernel: $(cat err)"
[ -s err ] && fail "no VM kernel, a success said: $(cat err)"
STAP_VM_DIR=$WORK/novm "$STAP" -p2 -e 'probe kernel.function("vfs_read") { }' > out 2> err &&
	fail "vfs_read of $host was found"
tail -n 2 err > tail
expect_file tail "Pass 2: analysis failed.
stap: note: the target was this machine's kernel ($host), which cannot load modules: use --vm, or -r RELEASE for another kernel"
STAP_VM_DIR=$WORK/novm "$STAP" -l 'kernel.function("vfs_read")' > out 2> err && fail "-l matched on $host"
tail -n 1 err > tail
expect_file tail "stap: note: the target was this machine's kernel ($host), which cannot load modules: use --vm, or -r RELEASE for another kernel"
exit 0
