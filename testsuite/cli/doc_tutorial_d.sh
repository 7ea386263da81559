# doc/tutorial.md's commands of sections 10 to the end print what it shows
# (cli/doc.inc says how they are compared; the tutorial is cut in four
# tests, each of a few runs in the VM).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/doc.inc"
run_tutorial 10 99
exit 0
