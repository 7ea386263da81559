# SystemTap's privilege model, with staprun installed setuid root in the VM
# and run by unprivileged users (/etc/passwd and /etc/group written there):
# eve (in no group) is refused; alice (stapusr) runs only what root put
# in /lib/modules/RELEASE/systemtap, not a copy elsewhere nor through a
# link planted there, and may stop only her own scripts; bob (stapdev)
# runs any module, his own included.  The -c command and system() run as
# the user, not root, and $STAPIO is ignored.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
p4() { "$STAP" -r "$RELEASE" -p4 -m "$1" -e "$2" > /dev/null 2> err || fail "stap -p4 $1: $(cat err)"; }
p4 priv_sys 'probe begin { system("echo system runs as $(id -u)") } probe timer.s(1) { exit() }'
p4 priv_cmd 'probe begin { }'
p4 priv_fr 'probe timer.s(1) { } probe end { println("stopped") }'
cat > guest.sh <<'END'
mkdir -p /etc /tmp && chmod 1777 /tmp
printf 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/tmp:/bin/sh\nbob:x:1001:1001::/tmp:/bin/sh\neve:x:1002:1002::/tmp:/bin/sh\n' > /etc/passwd
printf 'root:x:0:\nstapusr:x:156:alice\nstapdev:x:157:bob\nalice:x:1000:\nbob:x:1001:\neve:x:1002:\n' > /etc/group
chmod 4755 /bin/staprun
D=/lib/modules/$(uname -r)/systemtap
mkdir -p $D && cp /extra/priv_*.ko $D/ && cp /extra/priv_sys.ko /tmp/
ln -s /tmp/priv_sys.ko $D/linked.ko
mkdir /tmp/bob && cp /extra/priv_cmd.ko /tmp/bob/ && chown -R 1001 /tmp/bob
printf '#!/bin/sh\ntouch /tmp/pwned\n' > /tmp/evil && chmod 755 /tmp/evil
as() { u=$1; shift; su "$u" -c "$*"; echo "$u: $?"; }
as eve staprun priv_sys
as alice staprun priv_sys
as alice "staprun -c 'id -u' priv_cmd"
as alice staprun /tmp/priv_sys.ko
as alice staprun $D/linked.ko
as alice STAPIO=/tmp/evil staprun priv_sys
[ -e /tmp/pwned ] && echo "STAPIO was run"
staprun -F $D/priv_fr.ko; echo "root -F: $?"
as alice staprun -d priv_fr
staprun -d priv_fr; echo "root -d: $?"
as alice staprun -F priv_fr
as alice staprun -d priv_fr
as bob staprun /tmp/priv_sys.ko
as bob "staprun -c 'id -u' /tmp/bob/priv_cmd.ko"
grep -c "^priv_" /proc/modules; true
END
"$vm" --script --extra priv_sys.ko --extra priv_cmd.ko --extra priv_fr.ko guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
expect_file out "eve: 1
system runs as 1000
alice: 0
1000
alice: 0
alice: 1
alice: 1
system runs as 1000
alice: 0
root -F: 0
alice: 1
stopped
root -d: 0
alice: 0
stopped
alice: 0
system runs as 1001
bob: 0
1001
bob: 0
0"
D=/lib/modules/$RELEASE/systemtap
expect_file err "staprun: You are trying to run systemtap as a normal user.
You should either be root, or be part of the group \"stapusr\" and possibly one of the groups \"stapsys\" or \"stapdev\".
staprun: Members of the \"stapusr\" group can only use modules within
  the \"$D\" directory.
  Module \"/tmp/priv_sys.ko\" is not in that directory.
staprun: Members of the \"stapusr\" group can only use modules within
  the \"$D\" directory.
  Module \"$D/linked.ko\" is not in that directory.
staprun: priv_fr runs on in flight recorder mode: \"staprun -A priv_fr\" shows its output, \"staprun -d priv_fr\" stops it
staprun: priv_fr was not started by you (uid 0): only its user, root or a member of \"stapdev\" may attach to it or stop it
staprun: priv_fr runs on in flight recorder mode: \"staprun -A priv_fr\" shows its output, \"staprun -d priv_fr\" stops it"
exit 0
