/bin/busybox true
