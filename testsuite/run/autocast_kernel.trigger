echo hello > /tmp/stap_autocast_file
read line < /tmp/stap_autocast_file
