mkdir -p /etc
grep -q '^stapu:' /etc/passwd 2> /dev/null || echo 'stapu:x:1000:1001::/:/bin/sh' >> /etc/passwd
sh -c 'renice -n 5 -p $$ && exec su -s /bin/sh stapu -c "sleep 0 & wait; sleep 1000 & kill -USR2 \$!; wait"' < /dev/null > /dev/null 2>&1
sh -c 'renice -n 6 -p $$ && exec setsid unshare -p -f sh -c "sleep 0 & wait"' < /dev/null > /dev/null 2>&1
