ip link set lo up; ping -c 1 -s 12 -p 41 127.0.0.1 > /dev/null; ping6 -c 1 -s 12 ::1 > /dev/null; nslookup stap 127.0.0.1 > /dev/null 2>&1; nc 127.0.0.1 5001 < /dev/null > /dev/null 2>&1
