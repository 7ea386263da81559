# doc/tutorial.md's commands of sections 1 to 5 print what it shows
# (cli/doc.inc says how they are compared).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/doc.inc"
run_tutorial 1 5
exit 0
