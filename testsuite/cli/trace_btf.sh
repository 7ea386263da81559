# kernel.trace without the kernel's debuginfo reads the kernel's BTF, cut
# out of the VM kernel's image once and kept in the cache: the same
# tracepoints, argument names and types as the DWARF route, the cache
# entry checked like any other, and a clear error when there is neither.
. "$(dirname "$0")/lib.sh"
[ -e "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "skipped: no vmlinux debuginfo to compare with (vm/install-debuginfo)"; exit 0; }
export STAP_CACHE=$WORK/cache
mkdir -m 700 cache
btf() { SYSTEMTAP_DEBUGINFO_PATH=$WORK/none "$STAP" -r "$RELEASE" "$@"; }

# 1. The first use extracts the BTF into the cache, a file of ours that
# no one else may write.
btf -L 'kernel.trace("*")' > btf.L 2> err || fail "-L without debuginfo failed: $(cat err)"
set -- cache/btf-"$RELEASE"-*.btf
[ -f "$1" ] || fail "no BTF in the cache: $(ls cache)"
[ "$(stat -c '%u %a' "$1")" = "0 644" ] || fail "the cached BTF is $(stat -c '%u %a' "$1")"
cached=$1

# 2. The same events, argument names and types as the DWARF route's.
"$STAP" -r "$RELEASE" -L 'kernel.trace("*")' > dwarf.L 2> err || fail "-L with debuginfo failed: $(cat err)"
[ "$(wc -l < dwarf.L)" -gt 600 ] || fail "only $(wc -l < dwarf.L) tracepoints with debuginfo"
strip_system() { sed 's/^kernel\.trace("[^":]*:/kernel.trace("/' "$1" | sort; }
strip_system dwarf.L > dwarf.events
strip_system btf.L > btf.events
cmp -s dwarf.events btf.events || fail "BTF and DWARF list different tracepoints: $(diff dwarf.events btf.events | head)"
# every system BTF's route gives is the DWARF route's; it has none only
# for the events of headers that Debian's headers package does not ship
# (drivers/, fs/iomap/, kernel/trace/, arch/x86/kernel/, arch/x86/entry/)
grep '^kernel\.trace("[^"]*:' btf.L | while read -r line; do
	grep -qxF "$line" dwarf.L || { echo "$line"; break; }
done > wrong
[ -s wrong ] && fail "a system that the DWARF route does not give: $(cat wrong)"
grep -v '^kernel\.trace("[^"]*:' btf.L | sed 's/^kernel\.trace("\([^"]*\)").*/\1/' | tr '\n' ' ' | sed 's/ $//' > nosystem; echo >> nosystem
expect_file nosystem "amd_pstate_perf bpf_trace_printk devres_log emulate_vsyscall iomap_dio_invalidate_fail iomap_invalidate_folio iomap_iter iomap_iter_dstmap iomap_iter_srcmap iomap_readahead iomap_readpage iomap_release_folio iomap_writepage iomap_writepage_map nvme_async_event nvme_complete_rq nvme_setup_cmd nvme_sq prq_report pseudo_lock_l2 pseudo_lock_l3 pseudo_lock_mem_latency qi_submit"

# ... and so are modules' tracepoints, from each .ko's BTF (split on the
# kernel's); nfs's header is not in the headers package: the DWARF route
# guesses the system from its file's name (nfstrace.h), BTF's route says
# the module's name, which is its TRACE_SYSTEM.
kdir=/lib/modules/$RELEASE/kernel
mods="-d $kdir/fs/nfs/nfs.ko -d $kdir/net/sunrpc/sunrpc.ko -d $kdir/fs/nfsd/nfsd.ko"
btf -L 'kernel.trace("*")' $mods > btf.mods 2> err || fail "-L of modules without debuginfo failed: $(cat err)"
"$STAP" -r "$RELEASE" -L 'kernel.trace("*")' $mods > dwarf.mods 2> err || fail "-L of modules with debuginfo failed: $(cat err)"
[ "$(wc -l < dwarf.mods)" -gt "$(wc -l < dwarf.L)" ] || fail "no modules' tracepoints listed"
strip_system dwarf.mods > dwarf.mevents
strip_system btf.mods > btf.mevents
cmp -s dwarf.mevents btf.mevents || fail "BTF and DWARF list different modules' tracepoints: $(diff dwarf.mevents btf.mevents | head)"
[ "$(grep -c '^kernel\.trace("nfs:' btf.mods)" = "$(grep -c '^kernel\.trace("nfstrace:' dwarf.mods)" ] ||
	fail "nfs's tracepoints are not nfs:*"

# 3. The module's C is the DWARF route's, byte for byte: target variables
# (members at BTF's offsets, bitfields, $var$ and $var$$ printing),
# @cast and the tapsets' typed values (task_current()) from BTF's types, and
# the tapsets' aliases on tracepoints (scheduler.ctxswitch, signal.send).
cat > t.stp <<'END'
probe kernel.trace("sched:sched_switch") {
	printf("%s %d %s %s\n", kernel_string($prev->comm), $next->pid, $$parms, $next->se$)
	printf("%d %d %s %d\n", task_current()->tgid, @cast($next, "task_struct", "kernel")->pid,
	       kernel_string(@cast($prev, "struct task_struct")->comm), task_parent($prev)->pid)
}
probe kernel.trace("sched_process_exec") { println(kernel_string($bprm->filename), $p->mm->mmap_base) }
probe kernel.trace("sched_wakeup") {	/* bitfields, arrays, nested structs printed */
	printf("%d %d %d %s\n", $p->sched_reset_on_fork, $p->in_execve,
	       $p->signal->rlim[2]->rlim_cur, $p->thread$)
}
probe kernel.trace("sched_process_exit") { printf("%s\n", $p->mm$$) }
probe kernel.trace("sunrpc:rpc_task_begin"), kernel.trace("sunrpc:xprt_transmit") {
	printf("%s\n", $$parms$$)	/* a module's */
}
probe scheduler.ctxswitch { printf("%d %d %s\n", prev_pid, next_pid, next_task_name) }
probe signal.send { printf("%s %d %s\n", sig_name, sig_pid, pid_name) }	/* tapsets' aliases */
probe kernel.trace("sched_process_fork") {
	printf("%s|%s|%s|%d|%d|%s\n", $$vars, $$locals, $$name, @defined($parent->nosuch),
	       @defined($child->pid), $$parms$)
}
END
btf -p3 t.stp > btf.c 2> err || fail "-p3 without debuginfo failed: $(cat err)"
"$STAP" -r "$RELEASE" -p3 t.stp > dwarf.c 2> err || fail "-p3 with debuginfo failed: $(cat err)"
cmp -s btf.c dwarf.c || fail "the C differs: $(diff dwarf.c btf.c | head)"

# 4. A cache entry others may write is refused; a torn one is made again.
chmod 666 "$cached"
btf -p2 t.stp > out 2> err && fail "a cached BTF that others may write was used"
expect_file err "stap: error: the cached BTF $WORK/$cached cannot be trusted: others may write it (mode 666)"
chmod 644 "$cached"
truncate -s 1000 "$cached"
btf -p2 t.stp > out 2> err || fail "a torn cached BTF was not made again: $(cat err)"
[ "$(stat -c %s "$cached")" -gt 1000 ] || fail "the torn cached BTF is still torn"

# ... and what a run that crashed while writing it left goes with --clean-cache.
touch -d '2 days ago' "$cached.Ab12Cd"
"$STAP" --clean-cache > out 2> err || fail "--clean-cache: $(cat err)"
[ -e "$cached.Ab12Cd" ] && fail "--clean-cache left a torn BTF's temporary file"
[ -e "$cached" ] || fail "--clean-cache removed the cached BTF"

# 5. Neither debuginfo nor a kernel image: one error that says both.
STAP_VM_DIR=$WORK/novm btf -p2 -e 'probe kernel.trace("sched_switch") {}' > out 2> err &&
	fail "kernel.trace without debuginfo and BTF worked"
grep -qF "semantic error: kernel.trace needs the kernel's debuginfo or its BTF: no debuginfo for kernel $RELEASE" err ||
	fail "unexpected error: $(cat err)"
grep -qF "and no kernel image to read its BTF from ($WORK/novm/$RELEASE/vmlinuz, /boot/vmlinuz-$RELEASE)" err ||
	fail "unexpected error: $(cat err)"
# 6. The running kernel's BTF, when it has one (the release is the host's,
# whose headers need not be installed): its tracefs gives the system, if
# mounted.
if [ -r /sys/kernel/btf/vmlinux ]; then
	SYSTEMTAP_DEBUGINFO_PATH=$WORK/none "$STAP" -r "$(uname -r)" -L 'kernel.trace("sched_switch")' > out 2> err ||
		fail "-L of the running kernel failed: $(cat err)"
	strip_system out > running
	expect_file running 'kernel.trace("sched_switch") $preempt:bool $prev:struct task_struct* $next:struct task_struct* $prev_state:unsigned int'
fi
exit 0
