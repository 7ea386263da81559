# SPDX-License-Identifier: GPL-2.0-or-later
#
# trace-profile.awk - where a getppid() call's kernel instructions go,
# from qemu's instruction log; bench/probe-cost.sh --profile runs it:
#
#	awk -f trace-profile.awk SYMBOLS LOG...
#
# SYMBOLS: the guest's /proc/kallsyms text lines ("ADDRESS TYPE NAME
# [MODULE]"), sorted.  LOGs, in the order qemu wrote them: qemu's
# -d in_asm,exec,nochain output, where a file named *-win-LABEL.log holds
# the loop of case LABEL (exec on) and the others only translations.
# A translation ("IN:" and one line per instruction) gives the length
# of the block at its address; an execution ("Trace ...
# [CS_BASE/PC/FLAGS/CFLAGS]") counts that many instructions.  Under
# -icount qemu also makes shortened blocks (ending at an I/O
# instruction such as rdtsc, or where the instruction budget runs out):
# their length is in CFLAGS' low 9 bits.  A translation immediately
# followed by such an execution does not replace the length of the full
# block at that address; outside the windows, where no execution shows
# the flags, a translation replaces a known length only when it ends in
# a control transfer (as full blocks do) or is longer.  In a
# window, a call runs from the block at entry_SYSCALL_64 to the block
# that ends in sysret; for the calls that reach __x64_sys_getppid, the
# median length is reported, and the calls of that length are split by
# the function each block lies in (kernel functions, and the functions
# of the module named LABEL or kprobe_floor).  A last table gives, for
# every case, what it adds to the first one (no probe): its total and the
# functions that differ.
#
# Addresses are 16 hex digits: they are compared as strings (awk's
# numbers cannot hold them).

FNR == 1 { file++ }

file == 1 {
	nall++
	all_addr[nall] = $1
	all_name[nall] = $3 (NF > 3 ? " " $4 : "")
	if ($3 == "entry_SYSCALL_64" && NF == 3)
		entry = $1
	next
}

FNR == 1 {
	if (label != "")
		report()
	label = ""
	if (match(FILENAME, /-win-[^\/]*\.log$/)) {
		label = substr(FILENAME, RSTART + 5, RLENGTH - 9)
		start_window()
	}
}

/^IN:/ { inblock = 1; blen = 0; next }

inblock && /^0x/ {
	line = $0
	sub(/^0x/, "", line)
	addr = substr(line, 1, 16)
	rest = substr(line, 18)
	if (rest ~ /^[ 0-9a-f]*$/)
		next			# the rest of a long instruction's bytes
	if (blen == 0)
		bstart = addr
	blen++
	blast = rest
	next
}

inblock {
	if (blen) {
		pending = bstart
		pending_len = blen
		pending_sysret = blast ~ /sysret/
		if (label == "" && (!(bstart in len) || blen > len[bstart] ||
				    ends_block(blast)))
			take_pending(0)	# no executions logged here
	}
	inblock = 0
}

label != "" && /^Trace/ {
	split($0, f, "/")
	pc = f[2]
	count = hex_low9(f[4])
	if (pending == pc)
		take_pending(count)
	pending = ""
	n = count ? count : len[pc]
	if (pc == entry) {
		incall = 1
		ncall_pcs = 0
		hit = 0
		clen = 0
	}
	if (!incall)
		next
	call_pcs[++ncall_pcs] = pc
	call_len[ncall_pcs] = n
	clen += n
	if (symbol(pc) ~ /_sys_getppid$/)
		hit = 1
	if (sysret[pc]) {
		incall = 0
		if (hit) {
			ncalls++
			calls_len[ncalls] = clen
			s = ""
			for (i = 1; i <= ncall_pcs; i++)
				s = s " " call_pcs[i] ":" call_len[i]
			calls_pcs[ncalls] = s
		}
	}
}

# Whether an instruction's text is a control transfer, which ends a block.
function ends_block(text,    w, n, i) {
	n = split(text, w, " ")
	for (i = 1; i <= n; i++)
		if (w[i] !~ /^[0-9a-f][0-9a-f]$/)
			return w[i] ~ /^(j|call|ret|sysret|iret|ud2|int|hlt|syscall|lret)/
	return 0
}

# A full block's translation sets the length of its address.
function take_pending(count) {
	if (!count) {
		len[pending] = pending_len
		sysret[pending] = pending_sysret
	}
	pending = ""
}

# CFLAGS' low 9 bits (CF_COUNT_MASK): a shortened block's length, or 0.
function hex_low9(s,    v, i, d) {
	sub(/\].*/, "", s)
	v = 0
	for (i = length(s) - 2; i <= length(s); i++) {
		d = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + d
	}
	return v % 512
}

END {
	if (label != "")
		report()
	summary()
}

# What each case adds to the first: the functions that differ.
function summary(    i, j, k, m, lab, base, fn, d, s, names, dv, dn, t) {
	base = case_label[1]
	printf "\nWhat each case adds to %s, per call:\n\n", base
	printf "| case | adds | where (instructions) |\n|---|---|---|\n"
	for (i = 2; i <= ncases; i++) {
		lab = case_label[i]
		if (lab == base)
			continue
		k = split(case_fns[i], names, SUBSEP)
		m = 0
		for (j = 1; j <= k; j++) {
			fn = names[j]
			if (fn == "")
				continue
			d = case_n[i, fn] - ((1, fn) in case_n ? case_n[1, fn] : 0)
			if (d) {
				m++
				dv[m] = d
				dn[m] = fn
			}
		}
		# largest first (insertion sort: a few dozen entries)
		for (j = 2; j <= m; j++)
			for (k = j; k > 1 && dv[k] > dv[k - 1]; k--) {
				t = dv[k]; dv[k] = dv[k - 1]; dv[k - 1] = t
				t = dn[k]; dn[k] = dn[k - 1]; dn[k - 1] = t
			}
		s = ""
		for (j = 1; j <= m; j++)
			s = s (j > 1 ? ", " : "") dn[j] " " sprintf("%+d", dv[j])
		printf "| %s | %+d | %s |\n", lab, case_med[i] - case_med[1], s
	}
}

function start_window(    i, mod) {
	mod = label ~ /^floor/ ? "kprobe_floor" : label
	nsym = 0
	for (i = 1; i <= nall; i++)
		if (all_name[i] !~ /\[/ || index(all_name[i], "[" mod "]") ||
		    index(all_name[i], "ftrace"))
			{ nsym++; sym_addr[nsym] = all_addr[i]; sym_name[nsym] = all_name[i] }
	delete sym_cache
	ncalls = 0
	incall = 0
}

# The symbol whose address is the greatest not above pc.
function symbol(pc,    lo, hi, mid) {
	if (pc in sym_cache)
		return sym_cache[pc]
	lo = 1
	hi = nsym
	if (nsym == 0 || pc < sym_addr[1])
		return sym_cache[pc] = "?"
	while (lo < hi) {
		mid = int((lo + hi + 1) / 2)
		if (sym_addr[mid] <= pc)
			lo = mid
		else
			hi = mid - 1
	}
	return sym_cache[pc] = sym_name[lo]
}

function report(    i, n, k, sorted, med, ntyp, pcs, pl, fn, name, cmd, lo, hi) {
	if (ncalls == 0) {
		printf "%s: no getppid() call in the log\n", label
		return
	}
	for (i = 1; i <= ncalls; i++)
		sorted[i] = calls_len[i]
	n = asort_numbers(sorted, ncalls)
	med = sorted[int((ncalls + 1) / 2)]
	lo = sorted[1]
	hi = sorted[ncalls]
	delete by_fn
	ntyp = 0
	for (i = 1; i <= ncalls; i++) {
		if (calls_len[i] != med)
			continue
		ntyp++
		k = split(calls_pcs[i], pcs, " ")
		for (n = 1; n <= k; n++) {
			split(pcs[n], pl, ":")
			by_fn[symbol(pl[1])] += pl[2]
		}
	}
	printf "\n%s: %d calls traced; kernel instructions per call: median %d (min %d, max %d; %d calls at the median)\n\n",
		label, ncalls, med, lo, hi, ntyp
	printf "| instructions | function |\n|---|---|\n"
	cmd = "sort -t'|' -k2,2nr"
	ncases++
	case_label[ncases] = label
	case_med[ncases] = med
	for (fn in by_fn) {
		printf "| %7.1f | %s |\n", by_fn[fn] / ntyp, fn | cmd
		name = fn
		sub(/ \[.*\]$/, "", name)	# without the module: alike in every case
		case_n[ncases, name] += by_fn[fn] / ntyp
		case_fns[ncases] = case_fns[ncases] SUBSEP name
	}
	close(cmd)
}

# Sorts a[1..n] numerically in place (insertion sort: n is a few hundred).
function asort_numbers(a, n,    i, j, v) {
	for (i = 2; i <= n; i++) {
		v = a[i]
		for (j = i - 1; j >= 1 && a[j] > v; j--)
			a[j + 1] = a[j]
		a[j + 1] = v
	}
	return n
}
