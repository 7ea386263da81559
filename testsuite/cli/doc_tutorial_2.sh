# doc/tutorial.md's commands of sections 6 to the end print what it shows
# (cli/doc.inc says how they are compared).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/doc.inc"
run_tutorial 6 99
exit 0
