/* <linux/filelock.h> (6.3), split out of <linux/fs.h> */
#include <linux/filelock.h>
