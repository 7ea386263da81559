# doc/tutorial.md's commands of sections 4 to 5 print what it shows
# (cli/doc.inc says how they are compared; the tutorial is cut in four
# tests, each of a few runs in the VM).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/doc.inc"
run_tutorial 4 5
exit 0
