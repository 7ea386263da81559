echo 0123456789 > /tmp/stap_kprobe_entry; dd if=/tmp/stap_kprobe_entry of=/dev/null bs=1 skip=7 count=1 2>/dev/null
