# probe prometheus and the @prometheus_dump_array macros: a read of
# /proc/systemtap/MODULE/__prometheus runs the script's prometheus probes
# in order, whose $value (past MAXSTRINGLEN: 40 "big" lines) is what the
# reader gets.  A dump's elements come in the array's order, so the
# second read is sorted here.  The macros' loop variables are the probe's
# locals, as in SystemTap: arrays of other key or value types are dumped
# from probes of their own.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -m prom_test -c 'd=/proc/systemtap/prom_test
head -n 1 $d/__prometheus
grep -v "^big" $d/__prometheus | sort
grep -c "^big{i=\"[0-9]*\"} [0-9]*$" $d/__prometheus
ls -l $d | awk "NR > 1 { print \$1, \$NF }"' -e '
global scrapes, calls, lat, paths, nums, three, eight, strs, empty, big
function ms(ns) { return sprintf("%d.%03d", ns / 1000000, ns % 1000000 / 1000) }
function upper(s) { return sprintf("<%s>", s) }
probe begin {
	calls["read"] = 3
	calls["write"] = 1
	lat["open", 12] = 1500000
	paths["\"/bin/sh\""] = 2
	nums["7"] = 1
	three["x", 2, "y\"q"] = 4
	eight[1, 2, 3, 4, 5, 6, 7, 8] = 36
	strs["k"] = "two\nlines"
	empty["never"] = 1
	delete empty
	for (i = 1; i <= 40; i++)
		big[sprint(i)] = i * i
}
probe prometheus {
	$value .= sprintf("scrapes %d\n", ++scrapes)
	@prometheus_dump_array1(calls, "syscalls", "name")
	@prometheus_dump_array2_map(lat, "latency_ms", "call", "pid", ms, upper, sprint)
	@prometheus_dump_array1_map_unquoted(paths, "usage", "path", sprint, sprint)
	@prometheus_dump_array1_unquoted(nums, "numbers", "n")
	@prometheus_dump_array3(three, "three", "a", "b", "c")
	@prometheus_dump_array1(empty, "empty", "key")
	@prometheus_dump_array1(big, "big", "i")
}
probe prometheus {
	@prometheus_dump_array8(eight, "eight", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8")
}
probe prometheus {
	@prometheus_dump_array1(strs, "strings", "key")
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out 'scrapes 1
eight{k1="1",k2="2",k3="3",k4="4",k5="5",k6="6",k7="7",k8="8"} 36
latency_ms{call="<open>",pid="12"} 1.500
numbers{n=7} 1
scrapes 2
strings{key="k"} two\nlines
syscalls{name="read"} 3
syscalls{name="write"} 1
three{a="x",b="2",c="y\"q"} 4
usage{path="/bin/sh"} 2
40
-r-------- __prometheus'
"$STAP" -p1 -e 'probe prometheus { @prometheus_dump_array2(a, "m", "k") }' > out 2> err &&
	fail "a missing label was accepted"
expect_file err '<input>:1:55: error: parse error: too few parameters for macro '"'"'@prometheus_dump_array2'"'"' (expected 4)
    probe prometheus { @prometheus_dump_array2(a, "m", "k") }
                                                          ^
Pass 1: parse failed.'
exit 0
