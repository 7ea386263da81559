/* struct file_lock_core (6.9): a lock's type and owner moved into fl->c */
#include <linux/filelock.h>

int stapconf_test(struct file_lock *fl)
{
	return fl->c.flc_type;
}
