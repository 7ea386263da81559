# syscall.* and syscall.*.return (the alias wildcard) on the file system
# calls that busybox makes for a series of commands: name, argstr and
# retstr exactly, errno names on the calls that fail, flags and modes
# decoded.  Addresses (stack buffers) vary: they are printed as ADDR.
# busybox runs its applets in a forked shell without exec (cat and the
# others it execs are the exception), and a forked applet closes the
# descriptor 10 where the shell saved one that a redirection replaced.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'mkdir /tmp/sc; mkdir /tmp/sc 2>/dev/null; echo hello >> /tmp/sc/f
cat /nonexistent 2>/dev/null; ln /tmp/sc/f /tmp/sc/h; ln -s f /tmp/sc/l; mv /tmp/sc/h /tmp/sc/g
chmod 640 /tmp/sc/g; chown 1:2 /tmp/sc/g; truncate -s 3 /tmp/sc/f
dd if=/tmp/sc/f of=/tmp/sc/z bs=2 count=2 2>/dev/null; rm /tmp/sc/g /tmp/sc/l
rmdir /tmp/sc 2>/dev/null; cd /tmp/sc; umask 027; sync' -e '
global want
probe begin {
	want["mkdir"] = 1; want["openat"] = 1; want["write"] = 1; want["read"] = 1
	want["close"] = 1; want["dup2"] = 1; want["fcntl"] = 1; want["link"] = 1
	want["symlink"] = 1; want["rename"] = 1; want["chmod"] = 1; want["chown"] = 1
	want["ftruncate"] = 1; want["unlink"] = 1; want["access"] = 1; want["rmdir"] = 1
	want["chdir"] = 1; want["umask"] = 1; want["sync"] = 1; want["fstatat"] = 1
}
probe syscall.* {
	if ((pid() == target() || ppid() == target()) && name in want)
		printf("%s(%s)\n", name, argstr)
}
probe syscall.*.return {
	if ((pid() == target() || ppid() == target()) && name in want)
		printf("%s = %s\n", name, retstr)
}' > out 2> err || fail "stap failed: $(cat err)"
sed -i 's/0x[0-9a-f]*/ADDR/g' out
expect_file out 'fstatat(AT_FDCWD, "/m/1", ADDR, 0)
fstatat = 0
fstatat(AT_FDCWD, ".", ADDR, 0)
fstatat = 0
mkdir("/tmp/sc", 0777)
mkdir = 0
openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT|O_TRUNC, 0666)
openat = 3
fcntl(2, F_DUPFD_CLOEXEC, ADDR)
fcntl = 10
dup2(3, 2)
dup2 = 2
close(3)
close = 0
close(10)
close = 0
mkdir("/tmp/sc", 0777)
mkdir = -17 (EEXIST)
write(2, "mkdir: can'"'"'t create directory '"'"'/"..., 53)
write = 53
dup2(10, 2)
dup2 = 2
close(10)
close = 0
openat(AT_FDCWD, "/tmp/sc/f", O_WRONLY|O_CREAT|O_APPEND, 0666)
openat = 3
fcntl(1, F_DUPFD_CLOEXEC, ADDR)
fcntl = 10
dup2(3, 1)
dup2 = 1
close(3)
close = 0
write(1, "hello\n", 6)
write = 6
dup2(10, 1)
dup2 = 1
close(10)
close = 0
openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT|O_TRUNC, 0666)
openat = 3
fcntl(2, F_DUPFD_CLOEXEC, ADDR)
fcntl = 10
dup2(3, 2)
dup2 = 2
close(3)
close = 0
openat(AT_FDCWD, "/nonexistent", O_RDONLY)
openat = -2 (ENOENT)
write(2, "cat: can'"'"'t open '"'"'/nonexistent'"'"': "..., 58)
write = 58
dup2(10, 2)
dup2 = 2
close(10)
close = 0
fstatat(AT_FDCWD, "/tmp/sc/h", ADDR, 0)
fstatat = -2 (ENOENT)
fstatat(AT_FDCWD, "/tmp/sc/f", ADDR, 0)
fstatat = 0
link("/tmp/sc/f", "/tmp/sc/h")
link = 0
fstatat(AT_FDCWD, "/tmp/sc/l", ADDR, 0)
fstatat = -2 (ENOENT)
symlink("f", "/tmp/sc/l")
symlink = 0
fstatat(AT_FDCWD, "/tmp/sc/g", ADDR, 0)
fstatat = -2 (ENOENT)
rename("/tmp/sc/h", "/tmp/sc/g")
rename = 0
fstatat(AT_FDCWD, "/tmp/sc/g", ADDR, AT_SYMLINK_NOFOLLOW)
fstatat = 0
fstatat(AT_FDCWD, "/tmp/sc/g", ADDR, 0)
fstatat = 0
chmod("/tmp/sc/g", 0640)
chmod = 0
openat(AT_FDCWD, "/etc/passwd", O_RDONLY)
openat = -2 (ENOENT)
fstatat(AT_FDCWD, "/tmp/sc/g", ADDR, AT_SYMLINK_NOFOLLOW)
fstatat = 0
chown("/tmp/sc/g", 1, 2)
chown = 0
openat(AT_FDCWD, "/tmp/sc/f", O_WRONLY|O_CREAT|O_NONBLOCK, 0666)
openat = 3
ftruncate(3, 3)
ftruncate = 0
close(3)
close = 0
openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT|O_TRUNC, 0666)
openat = 3
fcntl(2, F_DUPFD_CLOEXEC, ADDR)
fcntl = 10
dup2(3, 2)
dup2 = 2
close(3)
close = 0
close(10)
close = 0
openat(AT_FDCWD, "/tmp/sc/f", O_RDONLY)
openat = 3
dup2(3, 0)
dup2 = 0
close(3)
close = 0
openat(AT_FDCWD, "/tmp/sc/z", O_WRONLY|O_CREAT|O_TRUNC, 0666)
openat = 3
dup2(3, 1)
dup2 = 1
close(3)
close = 0
read(0, ADDR, 2)
read = 2
write(1, "he", 2)
write = 2
read(0, ADDR, 2)
read = 1
write(1, "l", 1)
write = 1
close(0)
close = 0
close(1)
close = 0
write(2, "1+1 records in\n1+1 records out\n", 31)
write = 31
dup2(10, 2)
dup2 = 2
close(10)
close = 0
fstatat(AT_FDCWD, "/tmp/sc/g", ADDR, AT_SYMLINK_NOFOLLOW)
fstatat = 0
access("/tmp/sc/g", W_OK)
access = 0
unlink("/tmp/sc/g")
unlink = 0
fstatat(AT_FDCWD, "/tmp/sc/l", ADDR, AT_SYMLINK_NOFOLLOW)
fstatat = 0
access("/tmp/sc/l", W_OK)
access = 0
unlink("/tmp/sc/l")
unlink = 0
openat(AT_FDCWD, "/dev/null", O_WRONLY|O_CREAT|O_TRUNC, 0666)
openat = 3
fcntl(2, F_DUPFD_CLOEXEC, ADDR)
fcntl = 10
dup2(3, 2)
dup2 = 2
close(3)
close = 0
close(10)
close = 0
rmdir("/tmp/sc")
rmdir = -39 (ENOTEMPTY)
write(2, "rmdir: '"'"'/tmp/sc'"'"': Directory not "..., 38)
write = 38
dup2(10, 2)
dup2 = 2
close(10)
close = 0
chdir("/tmp/sc")
chdir = 0
umask(00)
umask = 18
umask(022)
umask = 0
umask(027)
umask = 18
sync()
sync = 0'
[ -s err ] && fail "stderr: $(cat err)"
exit 0
