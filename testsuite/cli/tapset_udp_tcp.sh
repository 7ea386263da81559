# udp.*, tcp.* and tcpmib.* over testsuite/uprog/stap_netprog.c's traffic
# on the guest's loopback device (its comment lists the steps and ports):
# UDP messages and a disconnect, TCP segments (their flags, once each
# kind), setsockopt, sends and receives, disconnects, IPv6, reads and
# writes on socket files, the ioctl netdev.ioctl sees, and the tcpmib
# counters under a tcpmib_filter_key of the script's own (local port *
# 100000 + remote port, only for the program's ports), printed at the end
# (each counted once: every tcpmib probe is used once).
# Events are printed once each and compared sorted: segments cross CPUs.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O2 -static -no-pie -o "$WORK/netprog" "$src/stap_netprog.c" || fail "cannot build the program"
"$STAP" --vm -d "$WORK/netprog" -c "ip link set lo up; $WORK/netprog" -e '
global seen, estab_up, estab_down
function ours(sport, dport) { return (sport >= 7001 && sport <= 7010) || (dport >= 7001 && dport <= 7010) }
function once(s) { if (!seen[s]++) println(s) }
function ends(saddr, sport, daddr, dport) { return sprintf("%s:%d -> %s:%d", saddr, sport, daddr, dport) }
probe udp.sendmsg, udp.recvmsg { if (ours(sport, dport))
	once(sprintf("%s sock_ok=%d size=%d family=%d %s", name, sock != 0, size, family, ends(saddr, sport, daddr, dport))) }
probe udp.sendmsg.return, udp.recvmsg.return { if (ours(sport, dport))
	once(sprintf("%s size=%d family=%d %s", name, size, family, ends(saddr, sport, daddr, dport))) }
probe udp.disconnect { if (ours(sport, dport))
	once(sprintf("%s sock_ok=%d flags=%d family=%d %s", name, sock != 0, flags, family, ends(saddr, sport, daddr, dport))) }
probe udp.disconnect.return { if (execname() == "netprog")
	once(sprintf("%s ret=%d %s", name, ret, ends(saddr, sport, daddr, dport))) }
probe tcp.receive { if (ours(sport, dport) && (syn || fin || rst || psh))
	once(sprintf("%s family=%d proto=0x%x %s urg=%d ack=%d psh=%d rst=%d syn=%d fin=%d hdrs_ok=%d", name, family,
		     ntohs(protocol), ends(saddr, sport, daddr, dport), urg, ack, psh, rst, syn, fin, tcphdr > iphdr)) }
probe tcp.setsockopt { if (execname() == "netprog")
	once(sprintf("%s family=%d level=%d optname=%d %s optlen=%d", name, family, level, optname, optstr, optlen)) }
probe tcp.setsockopt.return { if (execname() == "netprog") once(sprintf("%s.return ret=%d", name, ret)) }
probe tcp.disconnect { if (ours(sport, dport))
	once(sprintf("%s family=%d flags=%d %s", name, family, flags, ends(saddr, sport, daddr, dport))) }
probe tcp.disconnect.return { if (execname() == "netprog") once(sprintf("%s.return ret=%d", name, ret)) }
probe tcp.sendmsg.return { if (execname() == "netprog") once(sprintf("%s.return size=%d", name, size)) }
probe tcp.recvmsg.return { if (ours(sport, dport) && size > 0)
	once(sprintf("%s.return size=%d family=%d %s", name, size, family, ends(saddr, sport, daddr, dport))) }
probe socket.write_iter { if (execname() == "netprog") once(sprintf("%s size=%d family=%d protocol=%d", name, size, family, protocol)) }
probe socket.write_iter.return { if (execname() == "netprog") once(sprintf("%s size=%d success=%d", name, size, success)) }
probe socket.read_iter { if (execname() == "netprog" && size == 300) once(sprintf("%s size=%d type=%d", name, size, type)) }
probe socket.read_iter.return { if (execname() == "netprog" && size == 300) once(sprintf("%s size=%d success=%d", name, size, success)) }
probe netdev.ioctl { if (execname() == "netprog") once(sprintf("netdev.ioctl cmd=0x%x arg=%s", cmd, arg)) }
function tcpmib_filter_key:long(sk:long, op:long) {
	if (!sk || !ours(tcpmib_local_port(sk), tcpmib_remote_port(sk)))
		return 0
	return tcpmib_local_port(sk) * 100000 + tcpmib_remote_port(sk)
}
probe tcpmib.AttemptFails, tcpmib.EstabResets, tcpmib.OutRsts, tcpmib.InSegs, tcpmib.OutSegs { }
probe tcpmib.CurrEstab { if (op > 0) estab_up[key]++; else estab_down[key]++ }
probe tcpmib.ActiveOpens, tcpmib.PassiveOpens { if (key)
	once(sprintf("%s laddr=%s raddr=%s state=%d", pp() =~ "tcp_connect" ? "ActiveOpens" : "PassiveOpens",
		     ip_ntop(htonl(tcpmib_local_addr(sk))), ip_ntop(htonl(tcpmib_remote_addr(sk))), tcpmib_get_state(sk))) }
probe end {
	foreach (k+ in ActiveOpens) printf("ActiveOpens[%d]=%d\n", k, ActiveOpens[k])
	foreach (k+ in PassiveOpens) printf("PassiveOpens[%d]=%d\n", k, PassiveOpens[k])
	foreach (k+ in AttemptFails) printf("AttemptFails[%d]=%d\n", k, AttemptFails[k])
	foreach (k+ in EstabResets) printf("EstabResets[%d]=%d\n", k, EstabResets[k])
	foreach (k+ in OutRsts) printf("OutRsts[%d]=%d\n", k, OutRsts[k])
	foreach (k+ in CurrEstab) printf("CurrEstab[%d]=%d up=%d down=%d\n", k, CurrEstab[k], estab_up[k], estab_down[k])
	segs(700407003); segs(700307004); segs(701007009); segs(700907010)
}
function segs(k) { printf("InSegs[%d]>=3 %d OutSegs[%d]>=3 %d\n", k, InSegs[k] >= 3, k, OutSegs[k] >= 3) }' > out 2> err || fail "stap failed: $(cat err)"
grep -qv "^WARNING: Number of errors: 0, skipped probes: [0-9]*$" err && fail "stderr: $(cat err)"
LC_ALL=C sort out > got
v6=0000:0000:0000:0000:0000:0000:0000:0001
expect_file got "ActiveOpens laddr=0.0.0.0 raddr=0.0.0.0 state=2
ActiveOpens laddr=127.0.0.1 raddr=127.0.0.1 state=2
ActiveOpens[700407003]=1
ActiveOpens[700507006]=1
ActiveOpens[700807007]=1
ActiveOpens[701007009]=1
AttemptFails[700507006]=1
CurrEstab[700307004]=0 up=1 down=1
CurrEstab[700407003]=0 up=1 down=1
CurrEstab[700707008]=0 up=1 down=1
CurrEstab[700807007]=0 up=1 down=1
CurrEstab[700907010]=0 up=1 down=1
CurrEstab[701007009]=0 up=1 down=1
EstabResets[700707008]=1
EstabResets[700807007]=1
InSegs[700307004]>=3 1 OutSegs[700307004]>=3 1
InSegs[700407003]>=3 1 OutSegs[700407003]>=3 1
InSegs[700907010]>=3 1 OutSegs[700907010]>=3 1
InSegs[701007009]>=3 1 OutSegs[701007009]>=3 1
OutRsts[700807007]=1
PassiveOpens laddr=0.0.0.0 raddr=0.0.0.0 state=3
PassiveOpens laddr=127.0.0.1 raddr=127.0.0.1 state=3
PassiveOpens[700307004]=1
PassiveOpens[700707008]=1
PassiveOpens[700907010]=1
netdev.ioctl cmd=0x8921 arg=lo
socket.read_iter size=300 type=1
socket.read_iter.return size=300 success=1
socket.write_iter size=10 family=10 protocol=6
socket.write_iter size=300 family=2 protocol=6
socket.write_iter.return size=10 success=1
socket.write_iter.return size=300 success=1
tcp.disconnect family=2 flags=0 127.0.0.1:7008 -> 127.0.0.1:7007
tcp.disconnect family=2 flags=2 127.0.0.1:7005 -> 127.0.0.1:7006
tcp.disconnect.return ret=0
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7003 -> 127.0.0.1:7004 urg=0 ack=1 psh=0 rst=0 syn=0 fin=1 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7003 -> 127.0.0.1:7004 urg=0 ack=1 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7004 -> 127.0.0.1:7003 urg=0 ack=0 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7004 -> 127.0.0.1:7003 urg=0 ack=1 psh=0 rst=0 syn=0 fin=1 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7004 -> 127.0.0.1:7003 urg=0 ack=1 psh=1 rst=0 syn=0 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7005 -> 127.0.0.1:7006 urg=0 ack=0 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7006 -> 127.0.0.1:7005 urg=0 ack=1 psh=0 rst=1 syn=0 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7007 -> 127.0.0.1:7008 urg=0 ack=1 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7008 -> 127.0.0.1:7007 urg=0 ack=0 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv4.receive family=2 proto=0x800 127.0.0.1:7008 -> 127.0.0.1:7007 urg=0 ack=1 psh=0 rst=1 syn=0 fin=0 hdrs_ok=1
tcp.ipv4.setsockopt family=2 level=6 optname=1 TCP_NODELAY optlen=4
tcp.ipv4.setsockopt.return ret=0
tcp.ipv6.receive family=10 proto=0x86dd $v6:7009 -> $v6:7010 urg=0 ack=1 psh=0 rst=0 syn=0 fin=1 hdrs_ok=1
tcp.ipv6.receive family=10 proto=0x86dd $v6:7009 -> $v6:7010 urg=0 ack=1 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv6.receive family=10 proto=0x86dd $v6:7010 -> $v6:7009 urg=0 ack=0 psh=0 rst=0 syn=1 fin=0 hdrs_ok=1
tcp.ipv6.receive family=10 proto=0x86dd $v6:7010 -> $v6:7009 urg=0 ack=1 psh=0 rst=0 syn=0 fin=1 hdrs_ok=1
tcp.ipv6.receive family=10 proto=0x86dd $v6:7010 -> $v6:7009 urg=0 ack=1 psh=1 rst=0 syn=0 fin=0 hdrs_ok=1
tcp.recvmsg.return size=10 family=10 $v6:7009 -> $v6:7010
tcp.recvmsg.return size=300 family=2 127.0.0.1:7003 -> 127.0.0.1:7004
tcp.sendmsg.return size=10
tcp.sendmsg.return size=300
udp.disconnect sock_ok=1 flags=2 family=2 127.0.0.1:7002 -> 127.0.0.1:7001
udp.disconnect.return ret=0 127.0.0.1:7002 -> 0.0.0.0:0
udp.recvmsg sock_ok=1 size=16 family=2 127.0.0.1:7001 -> 0.0.0.0:0
udp.recvmsg.return size=5 family=2 127.0.0.1:7001 -> 0.0.0.0:0
udp.sendmsg sock_ok=1 size=5 family=2 127.0.0.1:7002 -> 127.0.0.1:7001
udp.sendmsg.return size=5 family=2 127.0.0.1:7002 -> 127.0.0.1:7001"
exit 0
