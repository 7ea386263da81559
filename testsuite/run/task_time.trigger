dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null
