/* <linux/uidgid.h> (3.5): kuid_t, kgid_t */
#include <linux/uidgid.h>

uid_t stapconf_test(kuid_t uid)
{
	return __kuid_val(uid);
}
