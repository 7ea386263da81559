# The doc comment of every syscall.NAME and syscall.NAME.return names
# exactly the variables the alias sets (stap -L lists them): no @tag for
# a variable it does not set, none missing.  Host only.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
gen=$(cd "$(dirname "$STAP")/../tapsets" && pwd)
for pat in 'syscall.*' 'syscall.*.return'; do
	"$STAP" -r "$RELEASE" -L "$pat" 2> err || fail "stap -L $pat failed: $(cat err)"
done > listed
[ "$(wc -l < listed)" -gt 500 ] || fail "too few aliases listed: $(wc -l < listed)"
# "syscall.open name:string fd:long ..." -> "syscall.open fd name ..."
awk '{ s = $1; n = 0
       for (i = 2; i <= NF; i++) if ($i ~ /^[a-z_0-9]+:/) { v[++n] = $i; sub(/:.*/, "", v[n]) }
       for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
       for (i = 1; i <= n; i++) s = s " " v[i]; print s }' listed | sort > vars
# the doc comment before each "probe syscall.NAME =": its @tags, sorted
cat "$top"/tapsets/syscalls_*.stp "$gen/syscall_returns.stp" | awk '
	/^\/\*\*/ { n = 0; next }
	/^ \* @[a-z_0-9]+:/ { t = $2; sub(/^@/, "", t); sub(/:$/, "", t); v[++n] = t; next }
	/^probe syscall\./ {
		s = $2
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		for (i = 1; i <= n; i++) s = s " " v[i]
		print s; n = 0
	}' | sort > documented
diff documented vars > diffs || fail "doc comments and variables differ (<: documented, >: set):
$(cat diffs)"
exit 0
