# vfs.read.return and vfs.write.return with SystemTap's variables
# (bytes_read, bytes_written, error, error_str, devname), errno_str of a
# negative number, and __file_filename: a read of /proc (no block device:
# devname N/A), a write to tmpfs, and a read of a directory (EISDIR).
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'dd if=/proc/version of=/dev/null bs=64 count=1 2>/dev/null
echo abc | dd of=/tmp/x 2>/dev/null; mkdir /tmp/d; dd if=/tmp/d of=/dev/null 2>/dev/null' -e '
probe vfs.read.return {
	f = __file_filename(file)
	if (execname() == "dd" && (f == "version" || f == "d"))
		printf("%s %s: %s bytes_read=%d error=%d error_str=%s retval=%d\n", name, f,
		       devname, bytes_read, error, error_str, retval)
}
probe vfs.write.return {
	if (execname() == "dd" && __file_filename(file) == "x")
		printf("%s x: %s bytes_written=%d error=%d error_str=%s\n", name, devname,
		       bytes_written, error, error_str)
}
probe end { printf("errno_str: %s %s [%s]\n", errno_str(-2), errno_str(21), errno_str(0)) }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "read version: N/A bytes_read=64 error=0 error_str= retval=64
write x: N/A bytes_written=4 error=0 error_str=
read d: N/A bytes_read=0 error=-21 error_str=EISDIR retval=-21
errno_str: ENOENT EISDIR []"
