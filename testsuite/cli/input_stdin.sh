# input.char and input.line: stap's standard input, fed to the script
# through stapio (with --vm, stap-vm sends it to the guest's stapio over a
# serial port).  Each byte fires input.char, a newline included; each
# newline fires input.line with the line; with -DMAXSTRINGLEN=8 a longer
# line keeps its first 7 bytes (its newline among the dropped); a last
# line without a newline never fires input.line.
. "$(dirname "$0")/lib.sh"
printf 'ab\nlonger than 7\nc\nno newline' > in
"$STAP" --vm -DMAXSTRINGLEN=8 -e '
global chars
probe input.char { chars++; if (char == "\n") printf("newline %d\n", chars) }
probe input.line {
	printf("line \"%s\" %d\n", text_str(line), strlen(line))
	if (line == "c\n") exit()
}
probe end { printf("%d chars\n", chars) }
' < in > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out 'newline 3
line "ab\n" 3
newline 17
line "longer " 7
newline 19
line "c\n" 2
19 chars'
exit 0
