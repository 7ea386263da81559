# stap-vm --script: a guest shell script runs where staprun would, in live
# mode (arguments, /extra files, stdout, stderr, exit status) and in batch mode.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
printf 'from the host\n' > note.txt
cat > guest.sh <<'END'
echo "args: $# $1|$2"
cat /extra/note.txt
echo "to stderr" >&2
exit 3
END
"$vm" --script --extra note.txt guest.sh one 'two words' > out 2> err
status=$?
[ $status = 3 ] || fail "status $status, not 3: $(cat err)"
expect_file out "args: 2 one|two words
from the host"
expect_file err "to stderr"

printf 'echo first\n' > a.sh
printf 'echo "second $1"; exit 5\n' > b.sh
printf 'a 30 a.sh\nb 30 b.sh x\n' > list
"$vm" --script --batch results list > out 2> err || fail "batch failed: $(cat err)"
expect_file results/a.stdout "first"
expect_file results/a.status "0"
expect_file results/b.stdout "second x"
expect_file results/b.status "5"
