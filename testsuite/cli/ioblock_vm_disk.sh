# STAP_VM_DISK gives stap --vm's guest a disk (stap has no option for it),
# and buffered writes reach ioblock.request through the page cache: dd
# writes 8192 bytes at sector 160 and fsyncs, so writeback sends one bio
# per 4096-byte block of the disk (sectors 160 and 168), and the fsync
# then asks the disk to flush its cache: an empty write with
# REQ_PREFLUSH (bit 18 of opf in kernel 6.1).
. "$(dirname "$0")/lib.sh"
STAP_VM_DISK=4 "$STAP" --vm \
	-c 'dd if=/dev/zero of=/dev/nvme0n1 bs=8192 count=1 seek=10 conv=fsync' -e '
global n
probe ioblock.request {
	if (devname == "nvme0n1")
		n[sector, rw, size, opf >> 18 & 1]++
}
probe end {
	foreach ([sector+, rw, size, preflush] in n)
		printf("sector=%d rw=%d size=%d preflush=%d x%d\n", sector, rw,
		       size, preflush, n[sector, rw, size, preflush])
}' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "sector=0 rw=1 size=0 preflush=1 x1
sector=160 rw=1 size=4096 preflush=0 x1
sector=168 rw=1 size=4096 preflush=0 x1"
grep -v "records" err && fail "stderr: $(cat err)"
exit 0
