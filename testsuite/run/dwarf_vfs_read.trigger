echo hello > /tmp/stap_dwarf_file
read line < /tmp/stap_dwarf_file
