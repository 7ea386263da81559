# stap --vm -c 'NAME ...' with process("NAME") probes: this machine's
# $PATH finds NAME (here coreutils' ls, dynamically linked, stripped),
# --vm copies it, and the command starts that copy by its path rather
# than the guest's own NAME (busybox's ls, on which the probes would
# never fire).  A NAME=value before the program is passed over.
. "$(dirname "$0")/lib.sh"
ls=$(readlink -f "$(command -v ls)")
[ -n "$ls" ] && ls --version | grep -q 'GNU coreutils' || { echo "skipped: ls is not coreutils'"; exit 0; }
"$STAP" --vm -c 'LC_ALL=C ls --version' -e '
probe process("ls").begin { printf("begin %s\n", execname()) }
probe process("ls").end { printf("end %s\n", execname()) }
probe process("ls").syscall { if ($syscall == 1) writes++ }	/* write(2) */
probe end { printf("ls wrote %s\n", writes ? "through its probes" : "nothing seen") }
global writes' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
grep -q '^ls (GNU coreutils)' out || fail "not coreutils' ls ran: $(cat out)"
grep -E '^(begin|end|ls wrote) ' out > probes
expect_file probes "begin ls
end ls
ls wrote through its probes"
exit 0
