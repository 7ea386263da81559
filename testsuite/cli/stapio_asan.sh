# stapio under AddressSanitizer and UBSan (stapio/stapio-asan, which make
# check builds), on the host: a harness plays the module's side of the
# control file over a SOCK_SEQPACKET socket (one read, one record, as the
# proc file hands out whole messages), through stapio -C FD -B 0, with
# good and malformed message streams.  Any sanitizer report fails the
# test; malformed input must end in stapio's own error.
. "$(dirname "$0")/lib.sh"
io=$(dirname "$STAP")/../stapio/stapio-asan
[ -x "$io" ] || { echo "skipped: no $io (make check builds it)"; exit 0; }
proto=$(cd "$(dirname "$0")/../../runtime" && pwd)
export ASAN_OPTIONS=abort_on_error=0:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=99
cat > fake.c <<'END'
/*
 * fake STAPIO CASE: runs STAPIO -C FD -B 0 fake_module and sends it the
 * messages of CASE after reading "start"; prints what stapio wrote
 * back (its commands) to stderr as "cmd: ...".  Exits with stapio's status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stp_proto.h"
static int sock;
static __u64 seq;
/* one record: a header and len bytes of payload (padded), as told */
static void rec(int type, __u32 len, const void *data, size_t have, size_t pad_to)
{
	char buf[sizeof(struct stp_msg_header) + STP_MSG_MAX + 64] = {0};
	struct stp_msg_header h = { .seq = seq++, .len = len, .type = type };
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), data, have);
	if (send(sock, buf, sizeof(h) + pad_to, 0) < 0)
		perror("send");
}
static void msg(int type, const char *text)
{
	size_t n = strlen(text);
	rec(type, n, text, n, STP_MSG_ALIGN(n));
}
static void command(void)
{
	char c[64];
	ssize_t n = recv(sock, c, sizeof(c) - 1, 0);
	if (n > 0) {
		c[n] = '\0';
		fprintf(stderr, "cmd: %s", c);
	}
}
int main(int argc, char **argv)
{
	int sv[2], status;
	char fd[16];
	static char big[STP_MSG_MAX];
	struct stp_stopped st = { .errors = 0, .skipped = 2, .drops = 5, .errors_all = 1 };
	pid_t pid;
	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	snprintf(fd, sizeof(fd), "%d", sv[1]);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		execl(argv[1], "stapio", "-C", fd, "-B", "0", "fake_module", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	sock = sv[0];
	command();
	if (!strcmp(argv[2], "good")) {
		msg(STP_MSG_OUTPUT, "hello\n");
		msg(STP_MSG_WARNING, "WARNING: once\n");
		msg(STP_MSG_WARNING, "WARNING: once\n");
		msg(STP_MSG_STARTED, "");
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		rec(STP_MSG_OUTPUT, sizeof(big), big, sizeof(big), sizeof(big));
		msg(STP_MSG_SYSTEM, "echo from system");
		msg(99, "unknown type");
		msg(STP_MSG_EXIT_REQUEST, "");
		command();
		rec(STP_MSG_STOPPED, sizeof(st), &st, sizeof(st), sizeof(st));
	} else if (!strcmp(argv[2], "short-stopped")) {
		rec(STP_MSG_STOPPED, 3, "\1\0\0", 3, 8);
	} else if (!strcmp(argv[2], "too-long")) {
		rec(STP_MSG_OUTPUT, STP_MSG_MAX + 1, "x", 1, 16);
	} else if (!strcmp(argv[2], "huge-length")) {
		rec(STP_MSG_OUTPUT, 0xffffffffu, "x", 1, 16);
	} else if (!strcmp(argv[2], "stray-bytes")) {
		rec(STP_MSG_OUTPUT, 4, "abcd", 4, 12);
	} else if (!strcmp(argv[2], "truncated")) {
		rec(STP_MSG_OUTPUT, 100, "abcd", 4, 8);
	} else if (!strcmp(argv[2], "header-only")) {
		rec(STP_MSG_ERROR, 0, "", 0, 0);
		rec(STP_MSG_STOPPED, 0, "", 0, 0);
	} else if (!strcmp(argv[2], "eof")) {
	}
	shutdown(sock, SHUT_WR);
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
END
gcc -I"$proto" -o fake fake.c || fail "gcc fake.c failed"
# run CASE STATUS: stapio's stdout in out, stderr in err
run() {
	./fake "$io" "$1" > out 2> err
	rc=$?
	grep -q "Sanitizer\|runtime error" err && fail "$1: $(head -20 err)"
	[ $rc -eq "$2" ] || fail "$1: stapio exited $rc, not $2: $(head -5 err)"
}
run good 0
sleep 1		# system()'s command is not waited for
[ "$(head -n 1 out)" = hello ] || fail "good: first line: $(head -c 100 out)"
[ "$(awk 'length($0) == 65535 && !/[^x]/' out | wc -l)" = 1 ] ||
	fail "good: the largest message is not there whole"
[ "$(grep -c '^from system$' out)" = 1 ] || fail "good: no output from system()"
[ "$(wc -c < out)" -eq $((6 + 65536 + 12)) ] || fail "good: $(wc -c < out) bytes of output"
expect_file err "cmd: start
WARNING: once
cmd: stop
WARNING: Number of errors: 1, skipped probes: 2
WARNING: 5 output messages were dropped: the buffer was full (try stap -s MB)"
run short-stopped 1
run too-long 1
expect_file err "cmd: start
stapio: corrupt message from /proc/stap_fake_module (type 1, length 65537)"
run huge-length 1
run stray-bytes 1
expect_file err "cmd: start
stapio: corrupt read from /proc/stap_fake_module: 4 stray bytes"
run truncated 1
run header-only 1
run eof 1
expect_file err "cmd: start
stapio: /proc/stap_fake_module ended before the script stopped"
exit 0
