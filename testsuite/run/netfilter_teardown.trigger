ip link set lo up; ping -c 25 -i 0.02 127.0.0.1 > /dev/null 2>&1 &
