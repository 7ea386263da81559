# -k keeps the temporary directory with the generated C and says where.
. "$(dirname "$0")/lib.sh"
"$STAP" -k -p3 -e 'probe begin { exit() }' > out 2> err || fail "stap failed: $(cat err)"
dir=$(sed -n 's/^Keeping temporary directory "\(.*\)"$/\1/p' err)
[ -n "$dir" ] && [ -d "$dir" ] || fail "no kept directory in: $(cat err)"
rm -rf "$dir"
grep -q 'MODULE_LICENSE("GPL")' out || fail "-p3 printed no module C"
