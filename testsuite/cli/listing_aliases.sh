# stap -l/-L of a user's own tapset (-I): an alias lists as its name, -L
# adds the locals of its body in the order they first appear, typed by
# inference; an alias of an alias lists as the outer one, an alias of two
# points once; nothing matched is exit status 1 and a message naming the
# pattern; a wildcard form that is an error is reported once.
. "$(dirname "$0")/lib.sh"
mkdir tapset
cat > tapset/mine.stp <<'EOS'
probe mine.tick = timer.ms(100) { n = 1; s = "a" . "b"; }
probe mine.tock = mine.tick { t = strlen(s) }
probe mine.two = timer.s(1), begin { x = 2 }
EOS
"$STAP" -r "$RELEASE" -I tapset -L 'mine.*' > out 2> err || fail "-L failed: $(cat err)"
expect_file out 'mine.tick n:long s:string
mine.tock n:long s:string t:long
mine.two x:long'
"$STAP" -r "$RELEASE" -I tapset -l 'mine.t*' > out 2> err || fail "-l failed: $(cat err)"
expect_file out 'mine.tick
mine.tock
mine.two'
"$STAP" -r "$RELEASE" -I tapset -L 'mine.nosuch*' > out 2> err && fail "-L of nothing exited 0"
[ -s out ] && fail "-L of nothing printed: $(cat out)"
expect_file err "stap: error: no probe point matches 'mine.nosuch*'"
"$STAP" -r "$RELEASE" -l 'timer.*(1).randomize(2)' > out 2> err && fail "a bad randomize was listed"
expect_file err "stap: error: no probe point matches 'timer.*(1).randomize(2)'"
exit 0
