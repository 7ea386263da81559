# Every stap command that README.md shows runs and succeeds, the first
# (its "two commands") with the tree's stap instead of ./setup.sh's, and
# the last prints what README says it prints.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/doc.inc"
# the commands, each ended by a \x1e (a command may span lines)
awk '
	function quotes(s,   t) { t = s; return gsub(/\x27/, "", t) % 2 }
	/^ *```/ { fence = !fence; next }
	!fence { next }
	open { cmd = cmd "\n" $0; if (!quotes(cmd)) { print cmd "\x1e"; open = 0 }; next }
	/^ *(\.\/setup\.sh && )?stap --vm / {	# (not the usage lines)
		sub(/^ *(\.\/setup\.sh && )?/, ""); cmd = $0
		if (quotes(cmd)) open = 1; else print cmd "\x1e"
	}
' "$top/README.md" > commands
n=0
while IFS= read -r -d $'\x1e' cmd; do
	cmd=${cmd#$'\n'}
	n=$((n + 1))
	timeout 250 bash -c "$cmd" > out 2>&1 < /dev/null || fail "README's command failed: $cmd
$(head -n 20 out)"
	[ -s out ] || fail "README's command printed nothing: $cmd"
done < commands
[ $n -ge 6 ] || fail "only $n commands found in README.md"
expect_file out "true exits with 0"
exit 0
