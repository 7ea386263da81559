# More syscall.NAME aliases, on what busybox calls for these commands:
# sendfile (cat), mknodat (mkfifo, mknod), fallocate, utimensat (touch),
# statfs, prlimit64 (ulimit), get/setpriority (renice), lseek (tail),
# chdir; the mode, rlimit, priority and timespec decoding.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'cd /tmp; echo abc > f; cat f >/dev/null; mkfifo p; mknod c c 1 3
fallocate -l 100 f; touch -d "2020-01-01 00:00:00" f; touch f; stat -f / >/dev/null
ulimit -n 100; renice -n 1 -p $$ >/dev/null; tail -n1 f >/dev/null; true' -e '
function me() { return pid() == target() || ppid() == target() }
probe syscall.chdir, syscall.sendfile, syscall.mknodat, syscall.fallocate, syscall.utimensat,
      syscall.statfs, syscall.lseek {
	if (me()) printf("%s(%s)\n", name, argstr)
}
probe syscall.chdir.return, syscall.sendfile.return, syscall.mknodat.return,
      syscall.fallocate.return, syscall.utimensat.return, syscall.statfs.return,
      syscall.lseek.return, syscall.getpriority.return,
      syscall.setpriority.return {
	if (me()) printf("%s = %s\n", name, retstr)
}
probe syscall.prlimit64 {
	if (me() && resource_str == "RLIMIT_NOFILE") printf("%s(%s)\n", name, argstr)
}
probe syscall.getpriority { if (me()) printf("%s: %s\n", name, which_str) }
probe syscall.setpriority { if (me()) printf("%s: %s %d\n", name, which_str, prio) }
' > out 2> err || fail "stap failed: $(cat err)"
sed -i 's/0x[0-9a-f]*/ADDR/g' out
expect_file out 'chdir("/tmp")
chdir = 0
sendfile(1, 3, ADDR, 16777216)
sendfile = 4
sendfile(1, 3, ADDR, 16777216)
sendfile = 0
mknodat(AT_FDCWD, "p", S_IFIFO|0666, 0)
mknodat = 0
mknodat(AT_FDCWD, "c", S_IFCHR|0666, 259)
mknodat = 0
fallocate(3, 0, ADDR, 100)
fallocate = 0
utimensat(AT_FDCWD, "f", [1577836800.000000000][1577836800.000000000], 0)
utimensat = 0
utimensat(AT_FDCWD, "f", [UTIME_NOW][UTIME_NOW], 0)
utimensat = 0
statfs("/", ADDR)
statfs = 0
prlimit64(0, RLIMIT_NOFILE, ADDR, ADDR)
prlimit64(0, RLIMIT_NOFILE, ADDR, ADDR)
getpriority: PRIO_PROCESS
getpriority = 20
setpriority: PRIO_PROCESS 1
setpriority = 0
lseek(3, 0, SEEK_END)
lseek = 100
lseek(3, 0, SEEK_SET)
lseek = 0'
[ -s err ] && fail "stderr: $(cat err)"
exit 0
