# One 4096-byte write at sector 56 and one read at sector 72 of the VM's
# NVMe disk, past the page cache.
dd if=/dev/zero of=/dev/nvme0n1 bs=4096 count=1 seek=7 oflag=direct
dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=1 skip=9 iflag=direct
