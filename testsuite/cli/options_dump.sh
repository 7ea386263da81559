# --dump-probe-types lists every form of point the families take,
# --dump-probe-aliases the tapsets' public aliases and what they expand to,
# --dump-functions the tapsets' public functions with their inferred types;
# each sorted, as SystemTap prints them.
. "$(dirname "$0")/lib.sh"
sorted() { LC_ALL=C sort -c "$1" 2> /dev/null || fail "$1 is not sorted"; }

"$STAP" --dump-probe-types > out 2> err || fail "--dump-probe-types: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
sorted out
for t in 'begin' 'begin(number)' 'kernel.function(string).return.maxactive(number)' \
	'kernel.trace(string)' 'kprobe.function(string)' 'module(string).statement(string).nearest' \
	'process(string).function(string).call' 'process(number).syscall' 'timer.ms(number)' \
	'procfs(string).umask(number).write' 'perf.sw.cpu_clock.sample(number)'; do
	grep -qxF "$t" out || fail "--dump-probe-types lacks $t"
done
grep -q 'process(string).function(string).exported' out && fail ".exported is the kernel's only"

"$STAP" -r "$RELEASE" --dump-probe-aliases > out 2> err || fail "--dump-probe-aliases: $(cat err)"
sorted out
grep -qxF 'vfs.read = kernel.function("vfs_read")' out || fail "no vfs.read: $(head out)"
grep -qxF 'syscall.openat = kprobe.function("__x64_sys_openat")?' out || fail "no syscall.openat"
grep -q '^_' out && fail "an internal alias is listed: $(grep '^_' out)"

echo 'function visible:long(x:string) { return strlen(x) } function _hidden() { }' > mine.stp
"$STAP" -r "$RELEASE" -I "$WORK" --dump-functions > out 2> err || fail "--dump-functions: $(cat err)"
sorted out
grep -qxF 'execname:string () /* unprivileged */' out || fail "no execname: $(head out)"
grep -qxF 'substr:string (str:string, start:long, length:long) /* unprivileged */' out ||
	fail "no substr"
grep -qxF 'visible:long (x:string)' out || fail "-I's function is missing"
grep -q '^_' out && fail "an internal function is listed: $(grep '^_' out)"
exit 0
