echo hello > /tmp/stap_wildcard_file
read line < /tmp/stap_wildcard_file
