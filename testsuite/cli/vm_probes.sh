# vm.mmap, vm.munmap, vm.brk, vm.pagefault.return, vm.kmem_cache_alloc and
# vm.kmem_cache_free around a program that maps and unmaps 1234567 bytes,
# grows its heap by 1 MB with sbrk and touches the new pages (-d copies
# the program into the VM).
. "$(dirname "$0")/lib.sh"
cat > prog.c <<'PROG'
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(void)
{
	char *p = mmap(NULL, 1234567, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *h;

	if (p == MAP_FAILED)
		return 1;
	p[0] = 1;
	munmap(p, 1234567);
	h = sbrk(1 << 20);
	if (h == (void *)-1)
		return 1;
	memset(h, 1, 1 << 20);
	return 0;
}
PROG
gcc -O1 -static -no-pie -o "$WORK/prog" prog.c || fail "cannot build the program"
"$STAP" --vm -d "$WORK/prog" -c "$WORK/prog" -e '
global brk, faults, allocs, frees
probe vm.mmap { if (pid() == target() && length == 1234567) printf("%s length=%d anywhere=%d\n", name, length, address == 0) }
probe vm.munmap { if (pid() == target() && length == 1234567) printf("%s length=%d\n", name, length) }
probe vm.brk { if (pid() == target() && length >= 1048576) brk[name, length]++ }
probe vm.pagefault.return { if (pid() == target() && name == "pagefault") faults[fault_type & 0x3] ++ }
probe vm.kmem_cache_alloc { if (pid() == target() && bytes_alloc >= bytes_req && bytes_req > 0) allocs[name]++ }
probe vm.kmem_cache_free { if (pid() == target()) frees[name]++ }
probe end {
	foreach ([n, l] in brk) printf("%s length=%d\n", n, l)
	printf("faults without error > 256: %d\n", faults[0] > 256)
	foreach (n in allocs) printf("%s seen\n", n)
	foreach (n in frees) printf("%s seen\n", n)
}' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "mmap length=1234567 anywhere=1
munmap length=1234567
brk length=1048576
faults without error > 256: 1
kmem_cache_alloc seen
kmem_cache_free seen"
