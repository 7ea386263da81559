# One 4096-byte write at sector 24 and one read at sector 40 on the
# VM's NVMe disk; O_DIRECT, so that each reaches the block layer as one
# bio every time, past the page cache.
dd if=/dev/zero of=/dev/nvme0n1 bs=4096 count=1 seek=3 oflag=direct
dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=1 skip=5 iflag=direct
