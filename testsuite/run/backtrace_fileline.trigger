read x < /proc/version
