echo x > /tmp/stap_dwarf_unlink
rm -f /tmp/stap_dwarf_unlink
