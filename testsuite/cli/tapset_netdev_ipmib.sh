# netdev.* and ipmib.* in the guest: the loopback device brought down and
# up, its MTU set to 1500, promiscuous mode on and off, a new MAC address
# asked for (the loopback device refuses it after the probe), its
# statistics read, a network namespace made (its own "lo" registered, and
# unregistered when the namespace goes: the command waits for that through
# a procfs file of the script), and one ping of 3000 bytes, which at an MTU
# of 1500 goes out and comes back as 3 fragments each way (IP packets of
# 1500, 1500 and 68 bytes, 14 more with their Ethernet header): 6 packets
# on lo (counted by their lengths: the ping runs the kernel's side of it in
# softirqs, maybe not in its own context), 6 InReceives and ReasmReqds, 2 OutRequests and FragOKs under a
# filter that keeps ICMP over 127.0.0.1.  Then testsuite/uprog's program
# makes one TCP connection, whose packets ipmib_tcp_*_port see from both
# ends.  Events are printed once each and compared sorted.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O2 -static -no-pie -o "$WORK/netprog" "$src/stap_netprog.c" || fail "cannot build the program"
"$STAP" --vm -m netdev_test -d "$WORK/netprog" -c "exec > /dev/null 2>&1
ip link set lo up; ip link set lo down; ip link set lo up; ip link set lo mtu 1500
ip link set lo promisc on; ip link set lo promisc off; ip link set lo address 00:11:22:33:44:55
cat /proc/net/dev; ping -c 1 -s 3000 127.0.0.1; unshare -n true
i=0; until grep -q 1 /proc/systemtap/netdev_test/unreg || [ \$i = 100 ]; do sleep 0.1; i=\$((i + 1)); done
$WORK/netprog tcp" -e '
global seen, unreg, n, bytes
function once(s) { if (!seen[s]++) println(s) }
probe netdev.register, netdev.unregister, netdev.open, netdev.close, netdev.get_stats {
	once(sprintf("%s %s", pp() =~ "unregister" ? "unregister" : pp() =~ "register" ? "register" :
		     pp() =~ "open" ? "open" : pp() =~ "close" ? "close" : "get_stats", dev_name)) }
probe netdev.unregister { if (dev_name == "lo") unreg = 1 }
probe procfs("unreg").read { $value = sprintf("%d\n", unreg) }
probe netdev.change_mtu { once(sprintf("change_mtu %s %d -> %d", dev_name, old_mtu, new_mtu)) }
probe netdev.set_promiscuity { once(sprintf("set_promiscuity %s enable=%d disable=%d inc=%d", dev_name, enable, disable, inc)) }
probe netdev.change_mac { once(sprintf("change_mac %s len=%d %s -> %s", dev_name, mac_len, old_mac, new_mac)) }
function fragment(protocol, length) { return ntohs(protocol) == 0x800 && (length == 1514 || length == 82) }
probe netdev.hard_transmit { if (fragment(protocol, length)) { n["hard_transmit " . dev_name]++; bytes["hard_transmit " . dev_name] += length } }
probe netdev.transmit { if (fragment(protocol, length)) { n["transmit " . dev_name]++; bytes["transmit " . dev_name] += length } }
probe netdev.rx { if (fragment(protocol, $skb->len + 14)) { n["rx " . dev_name]++; once(sprintf("rx netdev_ok=%d", netdev != 0)) } }
function ipmib_filter_key:long(skb:long, op:long, SourceIsLocal:long) {
	if (ipmib_get_proto(skb) == 1 && ipmib_local_addr(skb, SourceIsLocal) == 0x7f000001 &&
	    ipmib_remote_addr(skb, SourceIsLocal) == 0x7f000001)
		return 1
	if (ipmib_get_proto(skb) == 6 && ipmib_tcp_local_port(skb, SourceIsLocal) >= 7003 &&
	    ipmib_tcp_local_port(skb, SourceIsLocal) <= 7004) {
		once(sprintf("tcp SourceIsLocal=%d local=%s:%d remote=%s:%d", SourceIsLocal,
			     ip_ntop(htonl(ipmib_local_addr(skb, SourceIsLocal))), ipmib_tcp_local_port(skb, SourceIsLocal),
			     ip_ntop(htonl(ipmib_remote_addr(skb, SourceIsLocal))), ipmib_tcp_remote_port(skb, SourceIsLocal)))
		return 2
	}
	return 0
}
probe ipmib.* { }
probe end {
	foreach (k+ in n) printf("%s packets=%d bytes=%d\n", k, n[k], bytes[k])
	printf("icmp InReceives=%d ReasmReqds=%d OutRequests=%d FragOKs=%d FragFails=%d InDiscards=%d\n",
	       InReceives[1], ReasmReqds[1], OutRequests[1], FragOKs[1], FragFails[1], InDiscards[1])
	printf("tcp InReceives>0 %d OutRequests>0 %d ReasmReqds=%d\n", InReceives[2] > 0, OutRequests[2] > 0, ReasmReqds[2])
}' > out 2> err || fail "stap failed: $(cat err)"
grep -qv "^WARNING: Number of errors: 0, skipped probes: [0-9]*$" err && fail "stderr: $(cat err)"
LC_ALL=C sort out > got
expect_file got "change_mac lo len=6 00:00:00:00:00:00 -> 00:11:22:33:44:55
change_mtu lo 65536 -> 1500
close lo
get_stats lo
hard_transmit lo packets=6 bytes=6220
icmp InReceives=6 ReasmReqds=6 OutRequests=2 FragOKs=2 FragFails=0 InDiscards=0
open lo
register lo
rx lo packets=6 bytes=0
rx netdev_ok=1
set_promiscuity lo enable=0 disable=1 inc=-1
set_promiscuity lo enable=1 disable=0 inc=1
tcp InReceives>0 1 OutRequests>0 1 ReasmReqds=0
tcp SourceIsLocal=0 local=127.0.0.1:7003 remote=127.0.0.1:7004
tcp SourceIsLocal=0 local=127.0.0.1:7004 remote=127.0.0.1:7003
tcp SourceIsLocal=1 local=127.0.0.1:7003 remote=127.0.0.1:7004
tcp SourceIsLocal=1 local=127.0.0.1:7004 remote=127.0.0.1:7003
transmit lo packets=6 bytes=6220
unregister lo"
exit 0
