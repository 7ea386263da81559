# The TCP socket functions on the client socket of one connection over the
# guest's loopback (busybox nc, AF_INET), at its one 300-byte tcp_sendmsg:
# established, from 127.0.0.1 and an ephemeral port to 127.0.0.1:5000;
# an RTO between its floor (TCP_RTO_MIN, 200 ms) and its initial 1 s, in
# whole jiffies (HZ is 250: 4000 us), the initial window of 10 segments
# and no slow start threshold yet (TCP_INFINITE_SSTHRESH).  The server
# side as in tapset_net.sh.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'ip link set lo up; mkfifo /tmp/in; nc -l -p 5000 < /tmp/in > /tmp/got & srv=$!
exec 3> /tmp/in
until netstat -ltn | grep -q ":5000 "; do sleep 0.1; done
head -c 300 /dev/zero | nc 127.0.0.1 5000; wait $srv; exec 3>&-' -e '
probe kernel.function("tcp_sendmsg") {
	if (execname() != "nc" || $size != 300)
		next
	f = __ip_sock_family($sk)
	printf("family %d %s:%d -> %s:%d\n", f, format_ipaddr(__ip_sock_saddr($sk), f),
	       __tcp_sock_sport($sk) != 5000 && __tcp_sock_sport($sk) > 1023,
	       format_ipaddr(__ip_sock_daddr($sk), f), __tcp_sock_dport($sk))
	s = tcp_ts_get_info_state($sk)
	printf("state %d %s\n", s, tcp_sockstate_str(s))
	rto = tcp_get_info_rto($sk)
	printf("rto %d cwnd %d ssthresh %#x rcv_mss %d\n", rto >= 200000 && rto <= 1000000 && rto % 4000 == 0,
	       tcp_get_info_snd_cwnd($sk), tcp_ts_get_info_snd_ssthresh($sk),
	       tcp_ts_get_info_rcv_mss($sk) > 0)
	printf("%s %s %s\n", tcp_sockstate_str(10), tcp_sockstate_str(0), tcp_sockstate_str(13))
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "family 2 127.0.0.1:1 -> 127.0.0.1:5000
state 1 TCP_ESTABLISHED
rto 1 cwnd 10 ssthresh 0x7fffffff rcv_mss 1
TCP_LISTEN UNDEF UNDEF"
exit 0
