# SystemTap's options that stap does not have are refused, each with a
# message that says why; the ones it takes as SystemTap's defaults
# (--runtime=kernel, --runtime=bpf and --bpf, -a x86_64, --privilege=stapdev, --use-server-on-error=no)
# are accepted; -P and --prologue-searching are accepted with a warning.
. "$(dirname "$0")/lib.sh"
refused() {	# EXPECTED-STDERR OPTION...
	local expected=$1
	shift
	"$STAP" -p2 -r "$RELEASE" "$@" -e 'probe begin { }' > out 2> err && fail "stap $* was accepted"
	expect_file err "stap: error: $expected"
}
servers="stap has no compile servers: it builds every module on this machine"
refused "--runtime=dyninst: stap has two runtimes, kernel (a kernel module) and bpf; dyninst is not available" --dyninst
refused "--runtime=lua: no such runtime; the runtimes are: kernel, bpf" --runtime=lua
refused "--use-server is not supported: $servers" --use-server
refused "--use-server is not supported: $servers" --use-server=host:5000
refused "--list-servers is not supported: $servers" --list-servers
refused "--trust-servers is not supported: $servers" --trust-servers=ssl
refused "--use-server-on-error: $servers" --use-server-on-error
refused "--remote is not supported: pass 5 runs on this machine, or in a virtual machine with --vm; to run a script elsewhere, build it with -p4 and load the module there with staprun" --remote=host
refused "--benchmark-sdt is not supported: stap has no SDT benchmark (it is SystemTap's own test of its markers)" --benchmark-sdt
refused "-i is not supported: stap has no interactive mode: write the script in a file, or give it with -e" -i
refused "--interactive is not supported: stap has no interactive mode: write the script in a file, or give it with -e" --interactive
refused "-q is not supported: stap keeps no tapset coverage database (SystemTap's -q writes one with sqlite)" -q
refused "--privilege=stapusr: stap builds modules for root (stapdev) only: modules for unprivileged users need a compile server to sign them, which stap does not have" --privilege=stapusr
refused "--privilege=stapusr: stap builds modules for root (stapdev) only: modules for unprivileged users need a compile server to sign them, which stap does not have" --unprivileged
refused "--privilege takes one of stapdev, stapsys, stapusr, not 'root'" --privilege=root
refused "-a arm64: stap builds modules for x86_64 only" -a arm64
refused "--download-debuginfo is not supported: stap downloads nothing: install the kernel's debuginfo (vm/install-debuginfo, or the linux-image-RELEASE-dbg package)" --download-debuginfo
refused "--sysroot is not supported: stap probes the files of this machine (and copies them into --vm's machine)" --sysroot=/srv
refused "--monitor is not supported: stap has no monitor window: print what you want to watch from a timer probe" --monitor
refused "--sign-module is not supported: stap does not sign modules: sign one with the kernel's scripts/sign-file" --sign-module
refused "--prologue-searching takes one of auto, never, always, not 'sometimes'" --prologue-searching=sometimes
refused "--suppress-time-limits needs guru mode (-g): a probe without limits can hang the kernel" --suppress-time-limits

for ok in --runtime=kernel --runtime=bpf --bpf "-a x86_64" --privilege=stapdev --use-server-on-error=no --all-modules \
	"-d kernel" "-d ext4" --prologue-searching=auto; do
	# shellcheck disable=SC2086
	"$STAP" -p2 -r "$RELEASE" $ok -e 'probe begin { }' > out 2> err || fail "$ok was refused: $(cat err)"
	[ -s err ] && fail "$ok: stderr: $(cat err)"
done
for p in -P --prologue-searching --prologue-searching=never; do
	"$STAP" -p2 -r "$RELEASE" $p -e 'probe begin { }' > out 2> err || fail "$p was refused: $(cat err)"
	when=always
	[ $p = --prologue-searching=never ] && when=never
	expect_file err "stap: warning: --prologue-searching=$when is ignored: stap places function probes as =auto does (at the entry, or past the prologue of code whose parameters are not in registers there)"
done
exit 0
