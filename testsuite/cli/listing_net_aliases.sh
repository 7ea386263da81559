# stap -L of the networking aliases: each alias's own variables, with
# SystemTap 4.8's names and types, in the order their bodies set them
# (the target variables after them are the kernel's and are cut off), and
# the probe point where a .return alias keeps an @entry value (ipmib.FragOKs)
# listed once, without its entry helper; identical lines (tcp.receive over
# IPv4 and IPv6 alike) once, as SystemTap lists them.
. "$(dirname "$0")/lib.sh"
for p in 'udp.*' 'udp.*.return' 'tcp.receive' 'tcp.ipv6.*' 'tcp.setsockopt' 'tcp.setsockopt.return' \
	'tcp.disconnect' 'tcp.disconnect.return' 'tcp.*msg.return' 'netdev.*' 'socket.*_iter' \
	'socket.*_iter.return' 'tcpmib.*' 'ipmib.*' 'linuxmib.*'; do
	"$STAP" -r "$RELEASE" -L "$p" 2> err || fail "-L $p failed: $(cat err)"
done | sed 's/ \$.*//' > got
expect_file got "udp.disconnect name:string sock:long flags:long family:long saddr:string daddr:string sport:long dport:long
udp.recvmsg name:string sock:long size:long family:long saddr:string daddr:string sport:long dport:long
udp.sendmsg name:string sock:long size:long family:long saddr:string daddr:string sport:long dport:long
udp.disconnect.return name:string ret:long family:long saddr:string daddr:string sport:long dport:long
udp.recvmsg.return name:string size:long family:long saddr:string daddr:string sport:long dport:long
udp.sendmsg.return name:string size:long family:long saddr:string daddr:string sport:long dport:long
tcp.receive name:string family:long iphdr:long saddr:string daddr:string protocol:long tcphdr:long dport:long sport:long urg:long ack:long psh:long rst:long syn:long fin:long
tcp.ipv6.receive name:string family:long iphdr:long saddr:string daddr:string protocol:long tcphdr:long dport:long sport:long urg:long ack:long psh:long rst:long syn:long fin:long
tcp.ipv6.setsockopt name:string sock:long family:long level:long optname:long optstr:string optlen:long
tcp.setsockopt name:string sock:long family:long level:long optname:long optstr:string optlen:long
tcp.setsockopt name:string sock:long family:long level:long optname:long optstr:string optlen:long
tcp.setsockopt.return name:string ret:long
tcp.setsockopt.return name:string ret:long
tcp.disconnect name:string sock:long family:long flags:long saddr:string daddr:string sport:long dport:long
tcp.disconnect.return name:string ret:long
tcp.recvmsg.return name:string size:long family:long saddr:string daddr:string sport:long dport:long
tcp.sendmsg.return name:string size:long
netdev.change_mac dev_name:string mac_len:long old_mac:string new_mac:string
netdev.change_mtu old_mtu:long new_mtu:long dev_name:string
netdev.change_rx_flag dev_name:string flags:long
netdev.close dev_name:string
netdev.close dev_name:string
netdev.get_stats dev_name:string
netdev.hard_transmit dev_name:string protocol:long length:long truesize:long
netdev.ioctl cmd:long arg:string
netdev.open dev_name:string
netdev.receive dev_name:string length:long protocol:long truesize:long
netdev.register dev_name:string
netdev.rx netdev:long dev_name:string protocol:long
netdev.set_promiscuity dev_name:string enable:long disable:long inc:long
netdev.transmit dev_name:string length:long protocol:long truesize:long
netdev.unregister dev_name:string
socket.read_iter name:string _sock:long size:long protocol:long family:long state:long flags:long type:long
socket.write_iter name:string _sock:long size:long protocol:long family:long state:long flags:long type:long
socket.read_iter.return name:string _sock:long size:long protocol:long family:long state:long flags:long type:long success:long
socket.write_iter.return name:string _sock:long size:long protocol:long family:long state:long flags:long type:long success:long
tcpmib.ActiveOpens sk:long op:long key:long
tcpmib.AttemptFails sk:long op:long key:long
tcpmib.CurrEstab sk:long op:long key:long
tcpmib.EstabResets sk:long op:long key:long
tcpmib.InSegs sk:long op:long key:long
tcpmib.InSegs sk:long op:long key:long
tcpmib.OutRsts sk:long op:long key:long
tcpmib.OutRsts sk:long op:long key:long
tcpmib.OutRsts sk:long op:long key:long
tcpmib.OutSegs sk:long op:long key:long
tcpmib.OutSegs sk:long op:long key:long
tcpmib.PassiveOpens sk:long op:long key:long
tcpmib.PassiveOpens sk:long op:long key:long
tcpmib.RetransSegs sk:long op:long key:long
ipmib.ForwDatagrams skb:long op:long SourceIsLocal:long key:long
ipmib.FragFails skb:long op:long SourceIsLocal:long key:long
ipmib.FragOKs skb:long op:long SourceIsLocal:long key:long
ipmib.InAddrErrors skb:long op:long SourceIsLocal:long key:long
ipmib.InDiscards skb:long op:long SourceIsLocal:long key:long
ipmib.InNoRoutes skb:long op:long SourceIsLocal:long key:long
ipmib.InReceives skb:long op:long SourceIsLocal:long key:long
ipmib.InUnknownProtos skb:long op:long SourceIsLocal:long key:long
ipmib.OutRequests skb:long op:long SourceIsLocal:long key:long
ipmib.ReasmReqds skb:long op:long SourceIsLocal:long key:long
ipmib.ReasmTimeout skb:long op:long SourceIsLocal:long key:long
linuxmib.DelayedACKs sk:long op:long key:long
linuxmib.ListenDrops sk:long op:long key:long
linuxmib.ListenOverflows sk:long op:long key:long
linuxmib.ListenOverflows sk:long op:long key:long
linuxmib.ListenOverflows sk:long op:long key:long
linuxmib.TCPMemoryPressures sk:long op:long key:long"
"$STAP" -r "$RELEASE" -L 'ipmib.FragOKs' | grep -c '^ipmib.FragOKs ' > n
expect_file n 1
exit 0
