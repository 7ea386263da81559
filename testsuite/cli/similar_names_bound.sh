# similar_names_bound.sh - a probe point that matches none of the kernel's
# 50000 functions is answered at once, with the close names: the edit
# distances are computed once per name and cut off at the bound, not once
# per distance in full (a 64-byte pattern took seconds; the fuzzer found it).
. "$(dirname "$0")/lib.sh"
[ -f "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "no debuginfo: skipped"; exit 0; }
pat="vfs_rea$(printf '?%.0s' $(seq 56))d"
echo "probe kernel.function(\"$pat\") { }" > long.stp
echo 'probe kernel.function("vfs_reed") { }' > typo.stp
# a second of CPU time is fifty times what it takes
(ulimit -t 1; "$STAP" -r "$RELEASE" -p2 long.stp > /dev/null 2> long.err)
[ $? -eq 1 ] || fail "stap did not end with an error in its second: $(cat long.err)"
grep -q "no match for probe point kernel.function(\"$pat\")" long.err ||
	fail "unexpected message: $(cat long.err)"
"$STAP" -r "$RELEASE" -p2 typo.stp 2> typo.err
grep -q '(similar: vfs_read, vcs_read, vfs_readv)' typo.err || fail "typo: $(cat typo.err)"
