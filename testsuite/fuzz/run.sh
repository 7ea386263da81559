#!/bin/sh
# run.sh - fuzzes passes 1 and 2 of the translator with AFL++.
#
#   testsuite/fuzz/run.sh [SECONDS]      (default 600; findings in work/out)
#
# FUZZ_SEEDS=DIR starts from DIR instead of seeds/ (an earlier run's queue, say);
# FUZZ_RESUME=1 resumes the run in work/out; FUZZ_WORK=DIR works in DIR, not work/;
# FUZZ_TIMEOUT_MS=N: a run longer than N ms (default 2000) is a hang.
#
# The target is `stap-fuzz -p2 INPUT 1 x+1`: the input is the script, and the
# two script arguments let $1, $2, @1, @2, $# and @# expand.  LeakSanitizer
# runs at every exit; a leak aborts, so AFL++ counts it as a crash.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$here/work}
secs=${1:-600}
[ -x "$work/stap-fuzz" ] || "$here/build.sh"

release=$(ls /lib/modules 2>/dev/null | grep cloud | sort | tail -n 1)
export STAP_RUNTIME="$top/runtime" STAP_TAPSETS="$top/tapsets"
# LeakSanitizer ignores a leak whose allocation has no stack, so the stacks
# are kept (malloc_context_size=2 in UBSAN_OPTIONS too, which would override it).
opts=symbolize=0:malloc_context_size=2
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:$opts
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:$opts
export LSAN_OPTIONS=exitcode=23:print_suppressions=0:$opts
# AFL_NO_AFFINITY: the machine's cores are shared, none is free to bind to
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
input=${FUZZ_SEEDS:-$here/seeds}
# seeds/ is not kept in git: seeds.sh makes it from the tests
[ -d "$input" ] || "$here/seeds.sh"
# -i- resumes a previous run in work/out
[ -d "$work/out/default/queue" ] && [ "${FUZZ_RESUME:-}" ] && input=-
exec afl-fuzz -i "$input" -o "$work/out" -x "$here/stap.dict" -m none -t "${FUZZ_TIMEOUT_MS:-2000}" \
	-V "$secs" -- "$work/stap-fuzz" ${release:+-r "$release"} -p2 @@ 1 'x+1'
