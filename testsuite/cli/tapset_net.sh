# The networking tapsets on one TCP connection over the guest's loopback
# (busybox nc: the listener's socket is AF_INET6, dual-stack, so the server
# side is IPv6 with the client's v4-mapped address; the client is AF_INET):
# netdev.transmit and netdev.receive, socket.{create,sendmsg,recvmsg,close}
# and their .return, inet_get_local_port, inet_get_ip_source and
# format_ipaddr.  The client sends 300 bytes in one write: one TCP segment of
# 14 (Ethernet) + 20 (IPv4) + 32 (TCP with timestamps) + 300 bytes, the only
# packet over 300 bytes.  The listener's stdin is a FIFO kept open, so that
# it never sees EOF there; the command waits for the listener, then for both
# ends to exit, so that every socket is closed before the script ends.
# Each fact is printed once; the lines are compared sorted.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'ip link set lo up; mkfifo /tmp/in; nc -l -p 5000 < /tmp/in > /tmp/got & srv=$!
exec 3> /tmp/in
until netstat -ltn | grep -q ":5000 "; do sleep 0.1; done
head -c 300 /dev/zero | nc 127.0.0.1 5000; wait $srv; exec 3>&-' -e '
global seen, closed
probe begin { printf("format_ipaddr %s %s\n", format_ipaddr(0x0100007f, 2), format_ipaddr(0, 1)) }
probe netdev.transmit, netdev.receive { if (dev_name == "lo" && length > 300 && !seen[pp()]++)
	printf("%s %s length=%d protocol=0x%x truesize_ok=%d\n", pp() =~ "net_dev_queue" ? "netdev.transmit" : "netdev.receive",
	       dev_name, length, ntohs(protocol), truesize >= length) }
probe socket.create { if (execname() == "nc" && !seen[sprintf("%s %d", name, family)]++)
	printf("%s family=%d type=%d protocol=%d requester=%d\n", name, family, type, protocol, requester) }
probe socket.create.return { if (execname() == "nc" && !seen[sprintf("%s %d", name, family)]++)
	printf("%s family=%d type=%d requester=%d success=%d err=%d\n", name, family, type, requester, success, err) }
probe socket.sendmsg { if (execname() == "nc" && size == 300 && !seen[name]++)
	printf("%s size=%d family=%d protocol=%d type=%d state=%d\n", name, size, family, protocol, type, state) }
probe socket.sendmsg.return { if (execname() == "nc" && size == 300 && !seen[name]++)
	printf("%s size=%d family=%d protocol=%d type=%d state=%d success=%d\n", name, size, family, protocol, type, state, success) }
probe socket.recvmsg { if (execname() == "nc" && family == 10 && !seen[name]++)
	printf("%s size_ok=%d family=%d protocol=%d type=%d state=%d\n", name, size >= 300, family, protocol, type, state) }
probe socket.recvmsg.return { if (execname() == "nc" && size == 300 && !seen[name]++)
	printf("%s size=%d family=%d protocol=%d type=%d state=%d success=%d\n", name, size, family, protocol, type, state, success) }
probe socket.close { if (execname() == "nc" && (family == 2 || family == 10)) closed[family, protocol, type, state]++ }
probe socket.close.return { if (execname() == "nc" && !seen[name]++) println(name) }
probe tcp.sendmsg { if (size == 300 && !seen[name]++)
	printf("%s from %s port_ok=%d\n", name, inet_get_ip_source(sock),
	       inet_get_local_port(sock) > 0 && inet_get_local_port(sock) != 5000) }
probe tcp.recvmsg { if (inet_get_local_port(sock) == 5000 && !seen[name]++)
	printf("%s at %s port %d, ::1 is %s\n", name, inet_get_ip_source(sock), inet_get_local_port(sock),
	       format_ipaddr(&@var("in6addr_loopback"), 10)) }
probe end { foreach ([f, p, t, s] in closed) printf("socket.close family=%d protocol=%d type=%d state=%d\n", f, p, t, s) }' \
	> out 2> err || fail "stap failed: $(cat err)"
# hot paths probed from interrupts can find a probe running: skipped, not errors
grep -qv "^WARNING: Number of errors: 0, skipped probes: [0-9]*$" err && fail "stderr: $(cat err)"
LC_ALL=C sort out > got
expect_file got "format_ipaddr 127.0.0.1 *unknown address family*
netdev.receive lo length=352 protocol=0x800 truesize_ok=1
netdev.transmit lo length=366 protocol=0x800 truesize_ok=1
socket.close family=10 protocol=6 type=1 state=1
socket.close family=10 protocol=6 type=1 state=3
socket.close family=2 protocol=6 type=1 state=3
socket.close.return
socket.create family=10 type=1 protocol=0 requester=0
socket.create family=2 type=1 protocol=0 requester=0
socket.create.return family=10 type=1 requester=0 success=1 err=0
socket.create.return family=2 type=1 requester=0 success=1 err=0
socket.recvmsg size_ok=1 family=10 protocol=6 type=1 state=3
socket.recvmsg.return size=300 family=10 protocol=6 type=1 state=3 success=1
socket.sendmsg size=300 family=2 protocol=6 type=1 state=3
socket.sendmsg.return size=300 family=2 protocol=6 type=1 state=3 success=1
tcp.recvmsg at 0000:0000:0000:0000:0000:ffff:7f00:0001 port 5000, ::1 is 0000:0000:0000:0000:0000:0000:0000:0001
tcp.sendmsg from 127.0.0.1 port_ok=1"
exit 0
