/* files_lookup_fd_raw() (5.11), which replaced fcheck_files() */
#include <linux/fdtable.h>

struct file *stapconf_test(struct files_struct *files)
{
	return files_lookup_fd_raw(files, 0);
}
