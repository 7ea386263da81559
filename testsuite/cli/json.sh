# The JSON tapset: /proc/systemtap/MODULE/metadata.json describes the
# metrics the json_add_* functions declared, in the order added;
# data.json is what "probe json_data" writes with the @json_output_*
# macros, anew on every read.  Both must be valid JSON (python's parser
# reads them back).  A metric added twice, or written twice in one read,
# is an error (caught here, and printed at the end).
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -m json_test -c 'd=/proc/systemtap/json_test
cat $d/metadata.json; cat $d/data.json; cat $d/data.json | grep reads
ls -l $d | awk "NR > 1 { print \$1, \$NF }"' -e '
global reads, errors
probe begin {
	json_set_prefix("jt")
	json_add_numeric_metric("reads", "reads so far", "count")
	json_add_string_metric("who", "")
	json_add_array("net", "per device")
	json_add_array_numeric_metric("net", "bytes", "bytes sent", "bytes")
	json_add_array_string_metric("net", "state", "")
	json_add_numeric_metric("plain", "", "")
	try { json_add_array("net", "again") } catch (e) { errors .= e . "\n" }
	try {
		json_add_array_string_metric("net", "state", "")
	} catch (e) {
		errors .= e . "\n"
	}
}
probe json_data {
	@json_output_data_start
	@json_output_numeric_value("reads", ++reads)
	@json_output_string_value("who", "stap")
	@json_output_array_numeric_value("net", "eth0", "bytes", 100)
	@json_output_array_string_value("net", "eth0", "state", "up")
	@json_output_array_numeric_value("net", "lo", "bytes", 5)
	@json_output_array_string_value("net", "lo", "state", "down")
	@json_output_numeric_value("plain", 7)
	try { @json_output_numeric_value("reads", 0) } catch (e) { errors .= e . "\n" }
	try {
		@json_output_array_numeric_value("net", "eth0", "bytes", 0)
	} catch (e) {
		errors .= e . "\n"
	}
	@json_output_data_end
}
probe end {
	print(errors)
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out '{
  "prefix": "jt",
  "metrics": [
    {
      "name": "reads",
      "pointer": "/reads",
      "type": "integer",
      "description": "reads so far",
      "units": "count"
    },
    {
      "name": "who",
      "pointer": "/who",
      "type": "string"
    },
    {
      "name": "net",
      "pointer": "/net",
      "type": "array",
      "description": "per device",
      "index": "/__id",
      "metrics": [
        {
          "name": "bytes",
          "pointer": "/bytes",
          "type": "integer",
          "description": "bytes sent",
          "units": "bytes"
        },
        {
          "name": "state",
          "pointer": "/state",
          "type": "string"
        }
      ]
    },
    {
      "name": "plain",
      "pointer": "/plain",
      "type": "integer"
    }
  ]
}
{
  "reads": 1,
  "who": "stap",
  "net": [
    {
      "__id": "eth0",
      "bytes": 100,
      "state": "up"
    },
    {
      "__id": "lo",
      "bytes": 5,
      "state": "down"
    }
  ],
  "plain": 7
}
  "reads": 2,
-r-------- data.json
-r-------- metadata.json
Metric '"'"'net'"'"' already exists
Array metric '"'"'state'"'"' already exists in array net
Metric '"'"'reads'"'"' already output
Metric '"'"'net'"'"' already output
Metric '"'"'reads'"'"' already output
Metric '"'"'net'"'"' already output'
# both files parse as JSON
sed -n '1,/^}$/p' out | python3 -m json.tool > /dev/null || fail "metadata.json is not JSON"
sed -n '/^}$/,$p' out | sed '1d' | sed -n '1,/^}$/p' | python3 -m json.tool > /dev/null ||
	fail "data.json is not JSON"
