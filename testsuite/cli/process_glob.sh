# A wildcard in process("PATH") names every file it matches, each one
# resolved as if it were written alone (a symlink and its target are one
# file); a pattern that matches nothing is an error, or skipped with '?'.
# Two copies of the translator (built with DWARF) are the files.
. "$(dirname "$0")/lib.sh"
mkdir progs
cp "$STAP" progs/prog1 && cp "$STAP" progs/prog2 || fail "cannot copy $STAP"
ln -s prog1 progs/link1
dir=$(cd progs && pwd)
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$dir/*\").function(\"main\") { n++ }
global n" > out 2> err || fail "stap -p2 failed: $(cat err)"
grep '^process' out | sed "s|$dir|DIR|g; s|@[^\"]*\"|\"|" > points
expect_file points 'process("DIR/prog1").function("main") /* <- process("DIR/*").function("main") */
process("DIR/prog2").function("main") /* <- process("DIR/*").function("main") */'
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$dir/none*\").function(\"main\") { }" \
	> /dev/null 2> err && fail "a pattern that matches nothing was accepted"
grep -q "semantic error: process(\"$dir/none\*\"): no file matches" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e "probe process(\"$dir/none*\").function(\"main\") ?,
	begin { }" > /dev/null 2> err || fail "'?' did not skip it: $(cat err)"
exit 0
