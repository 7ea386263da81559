# A $var met only in an autocast's index (task_current()->comm[$count]) is
# lowered at each address like any other: the body is copied per address.
# It was missed, and every address ran the first one's code (count read
# from vfs_read's register at rw_verify_area, where it is the 4th argument).
. "$(dirname "$0")/lib.sh"
c() { "$STAP" -r "$RELEASE" -p3 -e "$1" 2> err > "$2" || fail "stap -e '$1': $(cat err)"; }
pts='kernel.function("vfs_read"), kernel.function("rw_verify_area")'
c "probe $pts { println(task_current()->comm[\$count & 15]) }" index.c
c "probe $pts { n = \$count; println(task_current()->comm[n & 15]) }" plain.c
handlers=$(grep -c '^static void probe_' index.c)
entries=$(grep -c '\.handler = probe_' index.c)
[ "$handlers" = "$entries" ] || fail "$entries probe addresses share $handlers handlers"
[ "$(grep -o 'STP_REG(c, [0-9]*)' index.c)" = "$(grep -o 'STP_REG(c, [0-9]*)' plain.c)" ] ||
	fail "\$count in the index is not read as a plain \$count is:
$(grep -o 'STP_REG(c, [0-9]*)' index.c | tr '\n' ' ')/ $(grep -o 'STP_REG(c, [0-9]*)' plain.c | tr '\n' ' ')"
exit 0
