n=$((n + 1)); echo $n > /sys/module/stap_testmod/parameters/stm_watch; read v < /sys/module/stap_testmod/parameters/stm_watch
