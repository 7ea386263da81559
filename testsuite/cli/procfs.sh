# procfs("NAME").read and .write: /proc/systemtap/MODULE/NAME; a read runs
# the .read probes, in order, for what $value is set to (=, .=), a write
# hands the .write probe what was written; modes 0400/0200 unless
# .umask(M); the directory goes with the module.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -m procfs_test -c 'd=/proc/systemtap/procfs_test
cat $d/status; echo hello > $d/cmd; cat $d/cmd; cat $d/status
ls -l $d | awk "NR > 1 { print \$1, \$NF }"' -e '
global last = "none", reads
probe procfs("status").read { reads++; $value = sprintf("reads=%d last=%s\n", reads, last) }
probe procfs("status").read { $value .= "and more\n" }
probe procfs("cmd").write { last = $value }
probe procfs("cmd").umask(0022).read { $value = "last was " . last }
probe end { printf("end: %s", last) }' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "reads=1 last=none
and more
last was hello
reads=2 last=hello

and more
-rw-r--r-- cmd
-r-------- status
end: hello"
"$STAP" -p2 -e 'probe procfs("x").read { $value = $foo }' > out 2> err && fail "\$foo was accepted"
grep -q "semantic error: a procfs probe has one target variable, \$value (a string), not '\$foo'" err ||
	fail "bad message: $(cat err)"
"$STAP" -p2 -e 'probe procfs("a/b").read { }' > out 2> err && fail "a/b was accepted"
grep -q "semantic error: procfs takes a file name without '/'" err || fail "bad message: $(cat err)"
exit 0
