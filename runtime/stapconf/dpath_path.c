/* struct file's f_path (2.6.20), which replaced f_dentry and f_vfsmnt */
#include <linux/fs.h>

struct dentry *stapconf_test(struct file *f)
{
	return f->f_path.dentry;
}
