dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=1 skip=5 iflag=direct
