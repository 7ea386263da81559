# -o FILE -S MB,N: the output switches to FILE.1, FILE.2, ... past MB
# megabytes, between lines, keeping the newest N files; %Y in the name is
# expanded with strftime.
. "$(dirname "$0")/lib.sh"
# 25000 lines of 140 bytes: 3.5 MB, so FILE.0 to FILE.3; N=2 keeps .2 and .3
"$STAP" --vm -s 8 -o "out_%Y" -S 1,2 -D MAXACTION=10000 -e '
global n
probe timer.ms(50) {
	for (i = 0; i < 200; i++)
		printf("line %06d %0127d\n", n++, 0)
	if (n >= 25000) exit()
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
year=$(date +%Y)
ls out_* > files
expect_file files "out_$year.2
out_$year.3"
for f in out_$year.2 out_$year.3; do
	[ "$(wc -c < "$f")" -le 1048576 ] || fail "$f is larger than 1 MB"
done
# whole lines, in order, up to the last one
cat out_$year.2 out_$year.3 | awk '
	NR == 1 { first = $2 }
	$2 != sprintf("%06d", first + NR - 1) || length($0) != 139 { print "bad line " NR ": " $0; exit 1 }
	END { if ($2 != "024999") { print "last line " $2; exit 1 } }' || fail "the files do not hold the last lines in order"
exit 0
