// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_netprog - known traffic on the loopback device, for the tests of
 * the udp.*, tcp.*, tcpmib.*, linuxmib.* and netdev.* probes: every
 * socket is bound to a fixed port, so that a test can pick out its events.
 * Built static (it runs in the VM's busybox initramfs).  Steps, in order:
 *
 *   udp      127.0.0.1:7002 connects to 127.0.0.1:7001 and sends "hello";
 *            7001 receives it; 7002 disconnects (connect to AF_UNSPEC)
 *   tcp      127.0.0.1:7004 sets TCP_NODELAY, connects to the listener
 *            127.0.0.1:7003 and sends 300 bytes, which the accepted socket
 *            reads; both close in order
 *   refused  127.0.0.1:7005 connects to 127.0.0.1:7006, where nothing
 *            listens
 *   reset    127.0.0.1:7008 connects to 127.0.0.1:7007 and closes with
 *            SO_LINGER of 0: a reset
 *   tcp6     [::1]:7010 connects to [::1]:7009 and sends 10 bytes
 *   ioctl    SIOCGIFMTU of "lo"
 *
 *	stap_netprog [STEP...]	those steps only (default: all)
 *
 * Exits 1, naming the call, if one of them fails unexpectedly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "stap_netprog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_in addr4(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_in6 addr6(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	a.sin6_addr = in6addr_loopback;
	return a;
}

/* A socket of the family and type, bound to the loopback address's port. */
static int bound(int family, int type, int port)
{
	struct sockaddr_in a4 = addr4(port);
	struct sockaddr_in6 a6 = addr6(port);
	int one = 1;
	int fd = socket(family, type, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET ? bind(fd, (struct sockaddr *)&a4, sizeof(a4)) :
	    bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
		die("bind");
	return fd;
}

static void connect_to(int fd, int family, int port)
{
	struct sockaddr_in a4 = addr4(port);
	struct sockaddr_in6 a6 = addr6(port);

	if (family == AF_INET ? connect(fd, (struct sockaddr *)&a4, sizeof(a4)) :
	    connect(fd, (struct sockaddr *)&a6, sizeof(a6)))
		die("connect");
}

static void read_all(int fd, size_t n)
{
	char buf[512];

	while (n > 0) {
		ssize_t got = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));

		if (got <= 0)
			die("read");
		n -= got;
	}
}

static void step_udp(void)
{
	int srv = bound(AF_INET, SOCK_DGRAM, 7001);
	int cli = bound(AF_INET, SOCK_DGRAM, 7002);
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	char buf[16];

	connect_to(cli, AF_INET, 7001);
	if (send(cli, "hello", 5, 0) != 5)
		die("send");
	if (recvfrom(srv, buf, sizeof(buf), 0, NULL, NULL) != 5)
		die("recvfrom");
	if (connect(cli, &unspec, sizeof(unspec)))
		die("connect AF_UNSPEC");
	close(cli);
	close(srv);
}

/* Connects cli to the listener lst (at port lport); returns the accepted end. */
static int connection(int family, int lst, int lport, int cli)
{
	int srv;

	connect_to(cli, family, lport);
	srv = accept(lst, NULL, NULL);
	if (srv < 0)
		die("accept");
	return srv;
}

static void step_tcp(void)
{
	int lst = bound(AF_INET, SOCK_STREAM, 7003);
	int cli = bound(AF_INET, SOCK_STREAM, 7004);
	int one = 1;
	char data[300] = { 0 };
	char c;
	int srv;

	if (listen(lst, 1))
		die("listen");
	if (setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("setsockopt");
	srv = connection(AF_INET, lst, 7003, cli);
	if (write(cli, data, sizeof(data)) != sizeof(data))
		die("write");
	read_all(srv, sizeof(data));
	close(cli);
	if (read(srv, &c, 1) != 0)	/* the peer's FIN */
		die("read EOF");
	close(srv);
	close(lst);
}

static void step_refused(void)
{
	struct sockaddr_in a = addr4(7006);
	int cli = bound(AF_INET, SOCK_STREAM, 7005);

	if (connect(cli, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ECONNREFUSED)
		die("connect to a closed port");
	close(cli);
}

static void step_reset(void)
{
	int lst = bound(AF_INET, SOCK_STREAM, 7007);
	int cli = bound(AF_INET, SOCK_STREAM, 7008);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char c;
	int srv;

	if (listen(lst, 1))
		die("listen");
	srv = connection(AF_INET, lst, 7007, cli);
	if (setsockopt(cli, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		die("setsockopt SO_LINGER");
	close(cli);
	if (read(srv, &c, 1) >= 0 || errno != ECONNRESET)
		die("read after a reset");
	close(srv);
	close(lst);
}

static void step_tcp6(void)
{
	int lst = bound(AF_INET6, SOCK_STREAM, 7009);
	int cli = bound(AF_INET6, SOCK_STREAM, 7010);
	char c;
	int srv;

	if (listen(lst, 1))
		die("listen");
	srv = connection(AF_INET6, lst, 7009, cli);
	if (write(cli, "0123456789", 10) != 10)
		die("write");
	read_all(srv, 10);
	close(cli);
	if (read(srv, &c, 1) != 0)
		die("read EOF");
	close(srv);
	close(lst);
}

static void step_ioctl(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFMTU, &ifr))
		die("ioctl SIOCGIFMTU");
	close(fd);
}

static const struct {
	const char *name;
	void (*run)(void);
} steps[] = {
	{ "udp", step_udp }, { "tcp", step_tcp }, { "refused", step_refused },
	{ "reset", step_reset }, { "tcp6", step_tcp6 }, { "ioctl", step_ioctl },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int wanted = argc == 1;

		for (int k = 1; k < argc; k++)
			wanted |= strcmp(argv[k], steps[i].name) == 0;
		if (wanted)
			steps[i].run();
	}
	return 0;
}
