# A guru-mode script drops a packet on purpose: the first echo request
# that reaches LOCAL_IN gets $verdict = nf_drop (through the tapset's
# netfilter.ipv4.local_in, at the default priority 0), so the first ping
# gets no answer (busybox ping exits 1) and the second gets one (0).  A
# probe at priority 100, after the dropping one, sees only the request that
# went through.  The lines are compared sorted: the command's and the
# script's output come by different ways.
. "$(dirname "$0")/lib.sh"
"$STAP" -g --vm -c 'ip link set lo up
ping -c 1 -W 1 127.0.0.1 > /dev/null; echo "first ping: $?"
ping -c 1 -W 1 127.0.0.1 > /dev/null; echo "second ping: $?"' -e '
global dropped, passed
function echo_request(skb) {
	s = @cast(skb, "sk_buff", "kernel")
	ip = s->head + s->network_header
	return (kernel_char(ip + 9) & 255) == 1 && (kernel_char(ip + 20) & 255) == 8
}
probe netfilter.ipv4.local_in {
	if (!echo_request($skb) || dropped)
		next
	$verdict = nf_drop
	dropped++
}
probe netfilter.hook("NF_INET_LOCAL_IN").pf("NFPROTO_IPV4").priority(100) {
	if (echo_request($skb))
		passed++
}
probe end {
	printf("dropped %d, passed the dropping probe: %d\n", dropped, passed)
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
LC_ALL=C sort out > got
expect_file got "dropped 1, passed the dropping probe: 1
first ping: 1
second ping: 0"
exit 0
