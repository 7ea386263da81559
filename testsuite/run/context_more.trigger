env STP_A=1 STP_AB=two sh -c 'read x < /proc/version'
