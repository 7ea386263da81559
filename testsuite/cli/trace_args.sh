# kernel.trace with ten arguments: the five after the data pointer come in
# registers, the rest on the stack, and each is read with its type.  A tmpfs
# mount allocates per-CPU counters (percpu:percpu_alloc_percpu), 4 bytes
# each with GFP_KERNEL.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t' -e '
global n
probe kernel.trace("percpu:percpu_alloc_percpu") {
	if (n++) next
	printf("reserved=%d atomic=%d size=%d align=%d gfp=%#x\n", $reserved, $is_atomic,
	       $size, $align, $gfp_flags)
	printf("base set=%d off<1M=%d ptr set=%d bytes>=size=%d\n", $base_addr != 0,
	       $off < 1048576, $ptr != 0, $bytes_alloc >= $size)
}' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "reserved=0 atomic=0 size=4 align=4 gfp=0xcc0
base set=1 off<1M=1 ptr set=1 bytes>=size=1"
exit 0
