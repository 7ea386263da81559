# staprun passes the local time zone to a module that uses the time zone
# tapset (_stp_tz_gmtoff in seconds west of UTC, _stp_tz_name), before the
# user's parameters, which win; a module without it gets none.  Only
# staprun -v's note of the parameters is checked: whether the module then
# loads depends on the machine (run/tz_ctime runs one in the VM).
. "$(dirname "$0")/lib.sh"
staprun=$(dirname "$STAP")/../stapio/staprun
"$STAP" -r "$RELEASE" -p4 -m tzmod -e 'probe begin { println(tz_ctime(0)) exit() }' \
	> /dev/null 2> err || fail "stap -p4: $(cat err)"
"$STAP" -r "$RELEASE" -p4 -m plain -e 'probe begin { exit() }' > /dev/null 2> err ||
	fail "stap -p4: $(cat err)"
note() {	# TZ ARGS...: staprun -v's line about the parameters
	local tz=$1; shift
	TZ=$tz "$staprun" -v "$@" < /dev/null 2>&1 > /dev/null | grep '^staprun: loading '
}
[ "$(note CET-1 tzmod.ko)" = 'staprun: loading tzmod.ko as tzmod, parameters "_stp_tz_gmtoff=-3600 _stp_tz_name=CET"' ] ||
	fail "CET-1: $(note CET-1 tzmod.ko)"
[ "$(note UTC tzmod.ko)" = 'staprun: loading tzmod.ko as tzmod, parameters "_stp_tz_gmtoff=0 _stp_tz_name=UTC"' ] ||
	fail "UTC: $(note UTC tzmod.ko)"
[ "$(note EST+5 tzmod.ko _stp_tz_name=X)" = 'staprun: loading tzmod.ko as tzmod, parameters "_stp_tz_gmtoff=18000 _stp_tz_name=EST _stp_tz_name=X"' ] ||
	fail "EST+5: $(note EST+5 tzmod.ko _stp_tz_name=X)"
[ "$(note CET-1 plain.ko)" = 'staprun: loading plain.ko as plain, parameters ""' ] ||
	fail "plain: $(note CET-1 plain.ko)"
exit 0
