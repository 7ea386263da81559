# Alias variables nobody reads are not computed (translator/elide.c):
# syscall.read { n++ } neither fetches the arguments nor formats argstr,
# reading count fetches only what count needs, -u keeps everything, and
# the script's own stores stay as written.
. "$(dirname "$0")/lib.sh"
c() { "$STAP" -r "$RELEASE" -p3 "$@" 2> err > out.c || fail "stap $*: $(cat err)"; }
c -e 'global n probe syscall.read { n++ }'
grep -q 'v_argstr\|fn_syscall_arg\|v_fd' out.c && fail "syscall.read { n++ } still computes the alias's variables"
grep -q '++g_n' out.c || fail "the probe's own n++ is gone"
c -e 'global n probe syscall.read { n += count }'
grep -q 'v_count' out.c || fail "count is not computed"
grep -q 'v_argstr\|v_fd\b' out.c && fail "argstr or fd is computed although only count is read"
c -u -e 'global n probe syscall.read { n++ }'
grep -q 'v_argstr' out.c || fail "-u dropped the alias's stores"
c -e 'global n probe syscall.read { x = fd; n++ }'
grep -q 'l->v_x = ' out.c || fail "the script's own store was dropped"
exit 0
