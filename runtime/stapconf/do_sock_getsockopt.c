/* do_sock_getsockopt() (6.9), getsockopt on a struct socket with sockptr_t */
#include <linux/net.h>
#include <linux/sockptr.h>
#include <net/sock.h>

int stapconf_test(struct socket *sock, char *val, int *len)
{
	return do_sock_getsockopt(sock, false, SOL_SOCKET, SO_TYPE, KERNEL_SOCKPTR(val),
				  KERNEL_SOCKPTR(len));
}
