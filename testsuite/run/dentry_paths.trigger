for f in /init /proc/version /sys/kernel/notes; do dd if=$f of=/dev/null bs=64 count=1 2> /dev/null; done
