# The probe aliases of the tapsets on kernel events the command makes
# happen: scheduler.*, kprocess.*, signal.send, vm.*, irq_handler.*, vfs.*,
# socket.*, tcp.* (TCP over the loopback with busybox nc), each checked
# through its variables.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'ip link set lo up; nc -l -p 5000 > /tmp/got & sleep 0.3
echo hello | nc 127.0.0.1 5000; sleep 0.3; trap : USR1; kill -USR1 $$' -e '
global seen
probe tcp.connect { printf("%s %s:%d family=%d\n", name, daddr, dport, family) }
probe tcp.sendmsg { if (!seen["tcp.sendmsg"]++) printf("%s size=%d\n", name, size) }
probe tcp.recvmsg { seen["tcp.recvmsg"]++ }
probe socket.send { if (family == 2 && !seen["socket.send"]++)
	printf("%s size=%d protocol=%d type=%d success=%d\n", name, size, protocol, type, success) }
probe socket.receive { if (size == 6 && !seen["socket.receive"]++) printf("%s size=%d protocol=%d\n", name, size, protocol) }
probe kprocess.exec { if (filename == "\"/bin/sh\"") seen["kprocess.exec"]++ }
probe kprocess.exit { seen["kprocess.exit"]++ }
probe signal.send { if (sig_name == "SIGUSR1") printf("%s %s to %s shared=%d\n", name, sig_name, pid_name, shared) }
probe signal.deliver { if (sig_name == "SIGUSR1") seen["signal.deliver"]++ }
probe vfs.open { if (filename == "got" && !seen["vfs.open"]++) printf("%s %s\n", name, filename) }
probe vfs.write { if (filename == "got" && !seen["vfs.write"]++) printf("%s %s %d bytes\n", name, filename, bytes_to_write) }
probe vfs.read.return { if (retval == 6) seen["vfs.read.return"]++ }
probe scheduler.ctxswitch { if (prev_task_name != "" && next_task_name != "") seen["scheduler.ctxswitch"]++ }
probe scheduler.wakeup { if (task_pid >= 0) seen["scheduler.wakeup"]++ }
probe scheduler.process_fork { if (child_pid > parent_pid || child_pid > 0) seen["scheduler.process_fork"]++ }
probe scheduler.process_exit { seen["scheduler.process_exit"]++ }
probe scheduler.cpu_on { if (idle) seen["scheduler.cpu_on"]++ }
probe vm.pagefault { if (write_access) seen["vm.pagefault"]++ }
probe vm.kmalloc { if (bytes_alloc >= bytes_req && ptr) seen["vm.kmalloc"]++ }
probe vm.kfree { seen["vm.kfree"]++ }
probe irq_handler.entry { if (kernel_string(dev_name) =~ "^ttyS") seen["irq_handler.entry"]++ }
probe irq_handler.exit { if (ret >= 0) seen["irq_handler.exit"]++ }
probe end { foreach (k+ in seen) printf("%s ", k); println("") }' > out 2> err || fail "stap failed: $(cat err)"
# hot paths probed from interrupts can find a probe running: skipped, not errors
grep -qv "^WARNING: Number of errors: 0, skipped probes: [0-9]*$" err && fail "stderr: $(cat err)"
# the lines of the events in the order they happen, then the counters seen
grep -v '^$' out > got
expect_file got "open got
tcp.connect 127.0.0.1:5000 family=2
tcp.sendmsg size=6
socket.send size=6 protocol=6 type=1 success=1
socket.receive size=6 protocol=6
write got 6 bytes
send SIGUSR1 to sh shared=1
irq_handler.entry irq_handler.exit kprocess.exec kprocess.exit scheduler.cpu_on scheduler.ctxswitch scheduler.process_exit scheduler.process_fork scheduler.wakeup signal.deliver socket.receive socket.send tcp.recvmsg tcp.sendmsg vfs.open vfs.read.return vfs.write vm.kfree vm.kmalloc vm.pagefault "
exit 0
