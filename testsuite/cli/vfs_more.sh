# vfs.readv, vfs.writev (and .return), vfs.do_sync_read and
# vfs.do_sync_write (the reads and writes of files that go through
# read_iter and write_iter, as tmpfs files do), vfs.open.return and
# vfs.remove_from_page_cache, on the file I/O of
# testsuite/uprog/stap_syscalls.c's "vfs" mode: 5 bytes written from two
# buffers, 3 more, then read back into two buffers of 4 and one of 16;
# then rm drops the file's one page from the page cache.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O0 -static -no-pie -o "$WORK/sc" "$src/stap_syscalls.c" || fail "cannot build the program"
"$STAP" --vm -d "$WORK/sc" -c "mkdir /tmp/w; $WORK/sc /tmp/w vfs; rm /tmp/w/v" -e '
global wino, removed
function me() { return execname() == "sc" }
probe vfs.open.return { if (me()) printf("%s = %d %s\n", name, ret, pathname) }
probe vfs.writev {
	if (me()) {
		wino = ino
		printf("%s(%s) %s vlen=%d\n", name, argstr, pathname, vlen)
	}
}
probe vfs.writev.return {
	if (me()) printf("%s = %s bytes_written=%d pos=%d\n", name, retstr, bytes_written, pos)
}
probe vfs.do_sync_write { if (me()) printf("%s(%s)\n", name, argstr) }
probe vfs.do_sync_write.return {
	if (me()) printf("%s = %s bytes_written=%d\n", name, retstr, bytes_written)
}
probe vfs.readv { if (me()) printf("%s(%s) vlen=%d\n", name, argstr, vlen) }
probe vfs.readv.return {
	if (me()) printf("%s = %s bytes_read=%d pos=%d\n", name, retstr, bytes_read, pos)
}
probe vfs.do_sync_read { if (me()) printf("%s(%s)\n", name, argstr) }
probe vfs.do_sync_read.return {
	if (me()) printf("%s = %s bytes_read=%d error=%d\n", name, retstr, bytes_read, error)
}
probe vfs.remove_from_page_cache {
	if (wino && ino == wino && !removed++)
		printf("%s index %d\n", name, index)
}
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
sed -i -E 's/0x[0-9a-f]{6,}/ADDR/g' out
expect_file out 'vfs.open = 0 /tmp/w/v
vfs.writev(5, 0, ADDR) /tmp/w/v vlen=2
vfs.writev = 5 bytes_written=5 pos=5
do_sync_write(3, 5 , ADDR)
do_sync_write = 3 bytes_written=3
vfs.readv(8, 0, ADDR) vlen=2
vfs.readv = 8 bytes_read=8 pos=8
do_sync_read(16, 8, ADDR)
do_sync_read = 0 bytes_read=0 error=0
vfs.remove_from_page_cache index 0'
exit 0
