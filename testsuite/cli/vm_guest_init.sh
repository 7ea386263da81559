# The guest's /init (vm/guest-init.sh) parses as a POSIX shell script,
# shellcheck finds no error in it where shellcheck is installed, and the
# stap-vm that was built carries this very file.
. "$(dirname "$0")/lib.sh"
init=$(cd "$(dirname "$0")/../../vm" && pwd)/guest-init.sh
vm=$(dirname "$STAP")/../vm/stap-vm
sh -n "$init" 2> err || fail "sh -n: $(cat err)"
if command -v shellcheck > /dev/null; then
	shellcheck -s sh -S error "$init" > err 2>&1 || fail "shellcheck: $(cat err)"
fi
# every line of the file is in the binary's string (the last, too)
grep -v '^$' "$init" | while IFS= read -r line; do
	grep -qaF -- "$line" "$vm" || { echo "not in $vm: $line"; exit 1; }
done || exit 1
echo ok
