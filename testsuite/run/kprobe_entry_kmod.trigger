echo > /proc/stap_testmod
