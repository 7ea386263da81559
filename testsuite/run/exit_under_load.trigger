i=0
while [ $i -lt 500 ]; do read line < /proc/version; i=$((i + 1)); done
