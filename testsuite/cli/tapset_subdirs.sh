# A tapset directory (-I DIR) may hold subdirectories for one architecture
# or kernel version: DIR/RELEASE, DIR/6.1.0, DIR/6.1, DIR/6, DIR/x86_64; a
# file there replaces the file of the same name in less specific ones.
. "$(dirname "$0")/lib.sh"
mkdir -p lib/x86_64 lib/6.1 lib/5.10 lib/arm64
echo 'function which:string() { return "generic" }' > lib/which.stp
echo 'function which:string() { return "x86_64" }' > lib/x86_64/which.stp
echo 'function arch_only:string() { return "x86_64 only" }' > lib/x86_64/arch.stp
echo 'function arch_only:string() { return "arm64" }' > lib/arm64/arch.stp
echo 'function ver:string() { return "any" }' > lib/ver.stp
echo 'function ver:string() { return "6.1" }' > lib/6.1/ver.stp
echo 'function ver:string() { return "5.10" }' > lib/5.10/ver.stp
"$STAP" -r 6.1.0-57-cloud-amd64 -I lib -p3 -e 'probe begin { println(which(), arch_only(), ver()) }' > out 2> err ||
	fail "stap -p3 failed: $(cat err)"
grep -q 'lib/x86_64/which.stp' out || fail "x86_64/which.stp was not the one used: $(cat out)"
grep -q 'lib/6.1/ver.stp' out || fail "6.1/ver.stp was not the one used: $(cat out)"
grep -q 'lib/x86_64/arch.stp' out || fail "x86_64/arch.stp was not used: $(cat out)"
grep -q 'lib/arm64\|lib/5.10\|lib/which.stp\|lib/ver.stp' out && fail "a replaced or foreign tapset was used: $(cat out)"
exit 0
