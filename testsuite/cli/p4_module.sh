# -p4 -m NAME leaves NAME.ko in the current directory and prints its name; -v times passes.
. "$(dirname "$0")/lib.sh"
"$STAP" -r "$RELEASE" -v -p4 -m my_module -e 'probe begin { exit() }' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "my_module.ko"
[ -s my_module.ko ] || fail "no my_module.ko"
for p in 1 2 3 4; do
	grep -qE "^Pass $p: .* in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$" err ||
		fail "no timing line for pass $p in: $(cat err)"
done
