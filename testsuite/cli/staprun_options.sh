# staprun's options besides -o/-c/-x/-T: -w drops the script's warnings,
# -b MB sizes the per-CPU buffers (as stap -s MB does at build time),
# NAME=VALUE sets globals, and a parameter the module does not have is an
# error (the kernel would ignore it); -V and $SYSTEMTAP_VERBOSE; the exit
# status of a bad option (1) and of a killed stapio (128 + 9).
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
build() {	# NAME STAP-ARGS...
	local name=$1; shift
	"$STAP" -r "$RELEASE" -p4 -m "$name" "$@" > /dev/null 2> err || fail "stap -p4 $name: $(cat err)"
}
build warnme -e 'probe begin { warn("careful") printf("printed\n") exit() }'
build params -e 'global count = 1, name = "default"
probe begin { printf("%d %s\n", count, name); exit() }'
# 1.5 MB printed by the begin probe, which the reader cannot drain meanwhile
# on the one CPU: the default 1 MB buffer drops some, 2 MB holds it all
big='probe begin { for (i = 0; i < 15000; i++) printf("%099d\n", i); exit() }'
build forever -e 'probe begin { printf("on\n") }'
build big -D MAXACTION=100000 -e "$big"
build big2 -D MAXACTION=100000 -s 2 -e "$big"
cat > guest.sh <<'END'
staprun /extra/warnme.ko; echo "plain: $?"
staprun -w /extra/warnme.ko; echo "-w: $?"
staprun /extra/params.ko count=42 name="two words"; echo "params: $?"
staprun /extra/params.ko cuont=5; echo "misspelt: $?"
staprun /extra/params.ko count=abc; echo "bad value: $?"
staprun /extra/params.ko count; echo "no value: $?"
staprun /extra/big.ko 2> err | wc -c | awk '{ print "1 MB:", ($1 < 1500000 ? "short" : "all") }'
grep -c "output messages were dropped: the buffer was full" err
staprun -b 2 /extra/big.ko | wc -c; echo "-b 2: $?"
staprun /extra/big2.ko | wc -c; echo "-s 2: $?"
staprun -b 0 /extra/big.ko; echo "-b 0: $?"
staprun -b 4096 /extra/big.ko; echo "-b 4096: $?"
staprun -V; echo "-V: $?"
SYSTEMTAP_VERBOSE=1 staprun /extra/warnme.ko 2>&1 | grep -c "^staprun: removed warnme$"
staprun -A warnme count=1; echo "-A with params: $?"
staprun -q /extra/warnme.ko 2> /dev/null; echo "bad option: $?"
staprun -o /tmp/on /extra/forever.ko & s=$!
while [ ! -s /tmp/on ]; do usleep 100000; done
kill -KILL $(pidof stapio); wait $s; echo "stapio killed: $?"
grep -c "^forever " /proc/modules; true
END
"$vm" --smp 1 --script --extra warnme.ko --extra params.ko --extra forever.ko --extra big.ko --extra big2.ko \
	guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "printed
plain: 0
printed
-w: 0
42 two words
params: 0
misspelt: 1
bad value: 1
no value: 1
1 MB: short
1
1500000
-b 2: 0
1500000
-s 2: 0
-b 0: 1
-b 4096: 1
staprun $("$STAP" -V | sed 's/^stap \([^,]*\),.*/\1/'), the runtime of stap
-V: 0
1
-A with params: 1
bad option: 1
stapio killed: 137
0"
expect_file err "WARNING: careful
staprun: module /extra/params.ko has no parameter cuont (a script global that is a number or a string)
staprun: cannot load module /extra/params.ko: Invalid argument (kernel: params: \`abc' invalid for parameter \`count')
staprun: module parameter count: expected NAME=VALUE
staprun: -b takes a buffer size in MB from 1 to 4095, not '0'
staprun: -b takes a buffer size in MB from 1 to 4095, not '4096'
staprun: -b and module parameters are for loading a module, not with -A"

# stap passes -w on to staprun, and -G VAR=VALUE as its parameters
"$STAP" --vm -w -e 'probe begin { warn("careful") printf("printed\n") exit() }' > out 2> err ||
	fail "stap -w failed: $(cat err)"
expect_file out "printed"
[ -s err ] && fail "stap -w printed: $(cat err)"
"$STAP" --vm -G nosuch=1 -e 'probe begin { exit() }' > out 2> err && fail "-G nosuch=1 was accepted"
grep -q "has no parameter nosuch" err || fail "bad message: $(cat err)"
# -s is checked
"$STAP" -s 4096 -p2 -e 'probe begin { }' > out 2> err && fail "-s 4096 was accepted"
expect_file err "stap: error: -s takes a buffer size in MB from 1 to 4095, not '4096'"
"$STAP" -s 2x -p2 -e 'probe begin { }' > out 2> err && fail "-s 2x was accepted"
exit 0
