# A module links only the runtime files its code reaches (translator/build.c):
# a hello world has no probe family's code, no regex engine and no tapset
# state, and imports none of the kernel functions those call; a script that
# uses them gets them, with their own init (not module.c's weak stand-ins).
# Module names cannot clash with the shipped runtime objects.
. "$(dirname "$0")/lib.sh"
build() {	# build NAME SCRIPT
	"$STAP" -r "$RELEASE" -p4 -m "$1" -e "$2" > /dev/null 2> err ||
		fail "stap -m $1 failed: $(cat err)"
	nm "$1.ko" > "$1.nm" || fail "nm $1.ko failed"
}
has() {		# has NAME TYPE SYMBOL: NAME.ko has SYMBOL with nm type TYPE
	grep -qE "^ *[0-9a-f]* $2 $3\$" "$1.nm" || fail "$1.ko: no '$2 $3' in: $(cat "$1.nm")"
}
lacks() {	# lacks NAME SYMBOL: NAME.ko neither defines nor imports SYMBOL
	! grep -qE " $2\$" "$1.nm" || fail "$1.ko has $2: $(grep -E " $2\$" "$1.nm")"
}

build hello 'probe begin { printf("hello world\n") exit() }'
for s in stp_timer_ops stp_kprobe_ops stp_uprobe_ops stp_perf_ops stp_procfs_ops stp_process_ops \
	 stp_tracepoint_ops stp_ret_stubs stp_regex_match stp_tapset_cpu stp_usym_lookup \
	 stp_kread stp_map_new stp_stat_init register_kprobe uprobe_register \
	 perf_event_create_kernel_counter hrtimer_start_range_ns; do
	lacks hello $s
done
has hello W stp_regex_init
has hello W stp_tapset_init
has hello T stp_transport_write
# the whole runtime was 78 KB of text; hello world's share is under 25 KB
text=$(size hello.ko | awk 'NR == 2 { print $1 }')
[ "$text" -lt 30000 ] || fail "hello.ko has $text bytes of text"

build parts 'global a probe timer.ms(10) { a[1] = randint(9) if ("abc" =~ "b+") exit() }'
has parts R stp_timer_ops
has parts T stp_regex_match
has parts T stp_regex_init
has parts T stp_tapset_init
has parts T stp_map_new
lacks parts stp_kprobe_ops

# kprobe.c's return stubs (an assembler file) come with it
build kret 'probe kernel.function("vfs_read").return { println($return) exit() }'
has kret R stp_kprobe_ops
has kret T stp_ret_stubs
has kret T stp_dwarf_reg
lacks kret stp_timer_ops

for name in stp_runtime stp_module module; do
	build $name 'probe begin { exit() }'
done
