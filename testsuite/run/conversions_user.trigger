printf 'STAPMISC\201\202\377\376' > /dev/null
