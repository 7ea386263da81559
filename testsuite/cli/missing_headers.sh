# A kernel without a build tree: the message names the Debian package.
. "$(dirname "$0")/lib.sh"
"$STAP" -r 9.9.9-nonexistent -p4 -e 'probe begin { exit() }' > out 2> err && fail "stap succeeded"
expect_file err "stap: error: no kernel build tree for 9.9.9-nonexistent at /lib/modules/9.9.9-nonexistent/build: install it with 'apt-get install linux-headers-9.9.9-nonexistent'
Pass 4: compilation failed."
