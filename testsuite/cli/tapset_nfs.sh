# nfs.*, nfsd.* and sunrpc.* on an NFSv4.2 mount of the guest by itself:
# the guest loads Debian's sunrpc, nfsd, nfs and nfsv4 modules (installed
# by vm/install-kernel; their debuginfo by vm/install-debuginfo), exports a
# tmpfs through the kernel's export caches (no mountd: the cache entries
# are written in), then, under the script, starts nfsd, mounts, reads a
# file, writes a new one, makes a directory, renames and removes the new
# file, unmounts and stops nfsd.  Each kind of event is printed once and
# compared sorted (client and server run at once).  Without rpcbind, the
# server's registrations fail, which NFSv4 does not need.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
mods="net/sunrpc/sunrpc fs/nfs_common/grace fs/lockd/lockd fs/nfs_common/nfs_acl
net/sunrpc/auth_gss/auth_rpcgss fs/nfsd/nfsd fs/netfs/netfs fs/fscache/fscache fs/nfs/nfs
net/dns_resolver/dns_resolver fs/nfs/nfsv4"
extra=""
for m in $mods; do
	ko=/lib/modules/$RELEASE/kernel/$m.ko
	[ -e "$ko" ] || { echo "skipped: no $ko (vm/install-kernel installs it)"; exit 0; }
	extra="$extra --extra $ko"
done
for m in fs/nfsd/nfsd fs/nfs/nfs fs/nfs/nfsv4 net/sunrpc/sunrpc; do
	dbg=/usr/lib/debug/lib/modules/$RELEASE/kernel/$m.ko
	[ -e "$dbg" ] || { echo "skipped: no $dbg (vm/install-debuginfo installs it)"; exit 0; }
done
# the aliases' own variables, as -L lists them (each version's or function's point once)
for p in nfsd.dispatch nfsd.proc.lookup nfsd.proc.write.return nfsd.unlink nfs.proc.read_setup \
	sunrpc.clnt.call_sync sunrpc.svc.process sunrpc.sched.execute; do
	"$STAP" -r "$RELEASE" -L "$p" 2> err || fail "-L $p failed: $(cat err)"
done | sed 's/ \$.*//' | uniq > got
expect_file got "nfsd.dispatch client_ip:string proto:long version:long xid:long prog:long proc:long name:string argstr:string
nfsd.proc.lookup client_ip:string proto:long version:long fh:long filelen:long filename:string uid:long gid:long name:string argstr:string
nfsd.proc.write.return version:long name:string retstr:string size:long units:string
nfsd.unlink client_ip:string fh:string filelen:long filename:string type:long name:string argstr:string
nfs.proc.read_setup inode:long client:long server_ip:string prot:long count:long offset:long version:long size:long units:string name:string argstr:string
sunrpc.clnt.call_sync servername:string progname:string prog:long vers:long prot:long port:long xid:long proc:long procname:string flags:long name:string argstr:string
sunrpc.svc.process sv_name:string sv_prog:long sv_nrthreads:long peer_ip:long rq_xid:long rq_prog:long rq_vers:long rq_proc:long rq_prot:long name:string argstr:string
sunrpc.sched.execute xid:long prog:long vers:long prot:long tk_pid:long tk_flags:long name:string argstr:string"
"$STAP" -r "$RELEASE" -p4 -m nfs_test -e '
global seen
function once(s) { if (!seen[s]++) println(s) }
probe nfsd.dispatch { once(sprintf("%s client=%s version=%d prog=%d proto=%d", name, client_ip, version, prog, proto)) }
probe nfsd.proc.read, nfsd.proc.write, nfsd.proc.create, nfsd.proc.rename, nfsd.proc.remove {
	once(sprintf("%s %s client=%s proto=%d version=%d fh_ok=%d uid=%d gid=%d", name, argstr, client_ip,
		     proto, version, fh != 0, uid, gid)) }
probe nfsd.proc.read.return, nfsd.proc.write.return { once(sprintf("%s %s size=%d %s", name, retstr, size, units)) }
probe nfsd.proc.create.return, nfsd.proc.rename.return, nfsd.proc.remove.return { once(sprintf("%s %s", name, retstr)) }
probe nfsd.read, nfsd.write, nfsd.create, nfsd.rename, nfsd.unlink {
	once(sprintf("%s %s client=%s fh_ok=%d", name, argstr, client_ip, fh =~ "^[0-9]+: [0-9a-f]{8}")) }
probe nfsd.read.return, nfsd.write.return, nfsd.create.return, nfsd.rename.return, nfsd.unlink.return {
	once(sprintf("%s %s", name, retstr)) }
probe nfs.fop.read_iter { if (file_name == "file" && pos == 0)
	once(sprintf("%s %s/%s pos=%d devname_ok=%d", name, parent_name, file_name, pos, devname =~ "^0:[0-9]+$")) }
probe nfs.fop.read_iter.return { if (size == 6) once(sprintf("%s %s", name, retstr)) }
probe nfs.fop.write_iter { once(sprintf("%s %s %s", name, file_name, argstr)) }
probe nfs.aop.write_begin, nfs.aop.write_end { once(sprintf("%s %s size=%d", name, argstr, size)) }
probe nfs.proc.read_setup, nfs.proc.write_setup {
	once(sprintf("%s %s server=%s prot=%d version=%d", name, argstr, server_ip, prot, version)) }
probe nfs.proc.read_done, nfs.proc.write_done { once(sprintf("%s count=%d", name, count)) }
probe nfs.proc.remove { once(sprintf("%s %s", name, filename)) }
probe sunrpc.svc.create { if (progname == "nfsd") once(sprintf("%s %s prog=%d", name, progname, prog)) }
probe sunrpc.svc.register { once(sprintf("%s %s", name, argstr)) }
probe sunrpc.svc.destroy { once(sprintf("%s %s", name, sv_name)) }
probe sunrpc.svc.send { once(sprintf("%s %s peer=%s prog=%d vers=%d", name, sv_name, ip_ntop(peer_ip), rq_prog, rq_vers)) }
probe sunrpc.clnt.create_client { if (progname == "nfs") once(sprintf("%s %s", name, argstr)) }
probe sunrpc.clnt.call_sync { if (progname == "nfs") once(sprintf("%s %s", name, procname)) }
probe sunrpc.sched.execute { if (prog == 100003) once(sprintf("%s prog=%d vers=%d prot=%d", name, prog, vers, prot)) }
' > /dev/null 2> err || fail "stap -p4 failed: $(cat err)"
cat > ops.sh <<'END'
exec > /dev/null 2>&1
echo 1 > /proc/fs/nfsd/threads
mount -t nfs4 -o vers=4.2,addr=127.0.0.1,clientaddr=127.0.0.1 127.0.0.1:/ /mnt
cat /mnt/file
echo world > /mnt/new
mkdir /mnt/dir
mv /mnt/new /mnt/renamed
rm /mnt/renamed
umount /mnt
echo 0 > /proc/fs/nfsd/threads
END
cat > guest.sh <<'END'
cd /extra
for m in sunrpc grace lockd nfs_acl auth_rpcgss nfsd netfs fscache nfs dns_resolver nfsv4; do
	insmod $m.ko || echo "insmod $m failed"
done
ip link set lo up
mount -t nfsd nfsd /proc/fs/nfsd
mkdir -p /export /mnt
mount -t tmpfs tmpfs /export
echo hello > /export/file
echo 10 > /proc/fs/nfsd/nfsv4gracetime
echo "-3 +4" > /proc/fs/nfsd/versions
# what mountd would answer: 127.0.0.1 is in localdom, which may mount /export as the root
echo "nfsd 127.0.0.1 2147483647 localdom" > /proc/net/rpc/auth.unix.ip/channel
echo "localdom /export 2147483647 8192 65534 65534 0" > /proc/net/rpc/nfsd.export/channel
echo "localdom 1 \x00000000 2147483647 /export" > /proc/net/rpc/nfsd.fh/channel
staprun -c "sh /extra/ops.sh" /extra/nfs_test.ko > /tmp/out 2> /tmp/err
echo "staprun: $?"
sort /tmp/out
grep -v "^WARNING: Number of errors: 0, skipped probes: [0-9]*$" /tmp/err
exit 0
END
"$vm" --script $extra --extra ops.sh --extra nfs_test.ko guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
expect_file out "staprun: 0
nfs.aop.write_begin 0 0 6 size=6
nfs.aop.write_end 0 0 6 size=6
nfs.fop.read_iter //file pos=0 devname_ok=1
nfs.fop.read_iter.return 6
nfs.fop.write_iter new 0 6
nfs.proc4.read_done count=6
nfs.proc4.read_setup 4096 0 server=127.0.0.1 prot=6 version=4
nfs.proc4.remove renamed
nfs.proc4.write_done count=6
nfs.proc4.write_setup 6 0 2 server=127.0.0.1 prot=6 version=4
nfsd.create dir 16384 client=127.0.0.1 fh_ok=1
nfsd.create.return NFS_OK
nfsd.dispatch client=127.0.0.1 version=4 prog=100003 proto=6
nfsd.proc4.create dir 2 client=127.0.0.1 proto=6 version=4 fh_ok=1 uid=0 gid=0
nfsd.proc4.create.return NFS_OK
nfsd.proc4.read 4096 0 client=127.0.0.1 proto=6 version=4 fh_ok=1 uid=0 gid=0
nfsd.proc4.read.return NFS_OK size=4096 bytes
nfsd.proc4.remove renamed client=127.0.0.1 proto=6 version=4 fh_ok=1 uid=0 gid=0
nfsd.proc4.remove.return NFS_OK
nfsd.proc4.rename new renamed client=127.0.0.1 proto=6 version=4 fh_ok=1 uid=0 gid=0
nfsd.proc4.rename.return NFS_OK
nfsd.proc4.write 6 0 2 client=127.0.0.1 proto=6 version=4 fh_ok=1 uid=0 gid=0
nfsd.proc4.write.return NFS_OK size=6 bytes
nfsd.read 4096 0 client=127.0.0.1 fh_ok=1
nfsd.read.return NFS_OK
nfsd.rename new renamed client=127.0.0.1 fh_ok=1
nfsd.rename.return NFS_OK
nfsd.unlink renamed client=127.0.0.1 fh_ok=1
nfsd.unlink.return NFS_OK
nfsd.write 6 0 client=127.0.0.1 fh_ok=1
nfsd.write.return NFS_OK
sunrpc.clnt.call_sync CREATE_SESSION
sunrpc.clnt.call_sync DESTROY_CLIENTID
sunrpc.clnt.call_sync DESTROY_SESSION
sunrpc.clnt.create_client 127.0.0.1 nfs 100003 4 1 6 2049
sunrpc.clnt.create_client 127.0.0.1 nfs 100003 4 390004 6 2049
sunrpc.sched.execute prog=100003 vers=4 prot=6
sunrpc.svc.create nfsd prog=100003
sunrpc.svc.destroy NFSv4 callback
sunrpc.svc.destroy nfsd
sunrpc.svc.register nfsd 100003 17 2049
sunrpc.svc.register nfsd 100003 6 2049
sunrpc.svc.send nfsd peer=127.0.0.1 prog=100003 vers=4"
exit 0
