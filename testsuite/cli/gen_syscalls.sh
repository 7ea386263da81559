# tapsets/gen-syscalls refuses a table that disagrees with the hand-written
# entry aliases, naming the line; and what it writes from the real table is
# what the build installed.  Host only.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
gen="sh $top/tapsets/gen-syscalls"
tbl=$top/tapsets/syscalls.tbl
built=$(cd "$(dirname "$STAP")/../tapsets" && pwd)
$gen returns "$tbl" "$top"/tapsets/syscalls_*.stp > returns.stp 2> err || fail "returns: $(cat err)"
cmp -s returns.stp "$built/syscall_returns.stp" || fail "syscall_returns.stp differs from the build's"
$gen nd "$tbl" "$top"/tapsets/syscalls_*.stp > nd.stp 2> err || fail "nd: $(cat err)"
cmp -s nd.stp "$built/nd_syscalls.stp" || fail "nd_syscalls.stp differs from the build's"

# refuse: $1 is a sed script for the table, $2 the message expected
refuse() {
	sed "$1" "$tbl" > t.tbl
	$gen returns t.tbl "$top"/tapsets/syscalls_*.stp > out 2> err && fail "accepted: $1"
	grep -q "$2" err || fail "for $1: want '$2', have: $(cat err)"
}
refuse 's/^\(read  *\)read /\1readx/' 'syscall.read probes "read", the table says "readx"'
refuse 's/^\(wait4 .*\)hand$/\1-/' 'syscall.wait4.return is written by hand: mark its line "hand"'
refuse 's/^\(close  *close  *\)-$/\1hand/' 'syscall.close.return is "hand" but not written'
refuse '/^close  /d' 'syscall.close has no line in t.tbl'
refuse 's/^\(close  *close  *\)-$/\1slow/' 'return kind "slow" is not'
refuse 's/^\(close  *close  *\)-$/\1- x/' 'want NAME KERNEL RETURN'
refuse '$a close close -' 'close is listed twice'
refuse '$a nosuch nosuch -' 'no syscall.nosuch in the syscalls_\*.stp files'
exit 0
