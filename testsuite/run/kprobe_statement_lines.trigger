echo hello > /tmp/stap_lines_file
read line < /tmp/stap_lines_file
