# A global read in a target's index ($var->m[g], task_current()->comm[g])
# takes the global's read lock, as println(g) does: emit.c's lock sets
# missed chains, and such a probe read g while another probe wrote it.
. "$(dirname "$0")/lib.sh"
c() { "$STAP" -r "$RELEASE" -p3 -e "$1" 2> err > out.c || fail "stap -e '$1': $(cat err)"; }
# probe_0's C, from its header to its closing brace
probe0() { sed -n '/^static void probe_0(/,/^}/p' out.c; }
for read in 'println(g)' 'println($file->f_path->dentry->d_iname[g])' \
	    'println(task_current()->comm[g])'; do
	c "global g probe kernel.function(\"vfs_read\") { $read } probe timer.s(1) { g = (g + 1) & 15 }"
	probe0 | grep -q 'stp_read_lock(&g_g_lock)' || fail "$read: probe_0 takes no read lock on g"
done
exit 0
