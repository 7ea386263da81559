/*
 * dwarf_type.c - DWARF types as DwType.
 *
 * Names are spelled the way stap -L shows them: "struct file*",
 * "char const*", "size_t", "long unsigned int", "int[4]".  A typedef or a
 * qualifier becomes a copy of the type it names with its own spelling,
 * so that callers look at kind and size only.  Struct members are read
 * on first use: most types are only ever printed by name.
 */
#include <string.h>
#include "dwarf_int.h"

static DwType void_type = {.kind = DT_VOID, .name = "void"};
static DwMember no_members[1];	/* members of an empty struct: loaded, none */

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	return dwarf_attr(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;
}

static int64_t die_udata(Dwarf_Die *die, unsigned int name, int64_t dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	if (!dwarf_attr_integrate(die, name, &a) || dwarf_formudata(&a, &w) != 0)
		return dflt;
	return (int64_t)w;
}

DwType *dw_type_of(DwModule *m, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Die t;
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return &void_type;
	return dw_type_from_die(m, &t);
}

static void fill_base(Dwarf_Die *die, DwType *t)
{
	Dwarf_Word enc = (Dwarf_Word)die_udata(die, DW_AT_encoding, DW_ATE_signed);
	t->name = die_name(die);
	t->size = die_udata(die, DW_AT_byte_size, 0);
	if (enc == DW_ATE_float || enc == DW_ATE_complex_float) {
		t->kind = DT_FLOAT;
		return;
	}
	t->kind = DT_INT;
	t->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	t->is_char = (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) && t->size == 1;
}

/* An enum without an underlying type is signed only if some value is negative. */
static bool enum_is_signed(DwModule *m, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	if (dwarf_attr(die, DW_AT_type, &a))
		return dw_type_of(m, die)->is_signed;
	Dwarf_Die e;
	if (dwarf_child(die, &e) != 0)
		return false;
	do {
		Dwarf_Sword v;
		if (dwarf_attr(&e, DW_AT_const_value, &a) && dwarf_whatform(&a) == DW_FORM_sdata &&
		    dwarf_formsdata(&a, &v) == 0 && v < 0)
			return true;
	} while (dwarf_siblingof(&e, &e) == 0);
	return false;
}

static void fill_enum(DwModule *m, Dwarf_Die *die, DwType *t)
{
	const char *name = die_name(die);
	t->kind = DT_INT;
	t->is_enum = true;
	t->size = die_udata(die, DW_AT_byte_size, 4);
	t->is_signed = enum_is_signed(m, die);
	t->name = name ? arena_printf("enum %s", name) : "enum {...}";
}

static void fill_aggregate(Dwarf_Die *die, DwType *t, DwTypeKind kind, const char *word)
{
	const char *name = die_name(die);
	Dwarf_Attribute a;
	t->kind = kind;
	t->name = name ? arena_printf("%s %s", word, name) : arena_printf("%s {...}", word);
	t->size = die_udata(die, DW_AT_byte_size, 0);
	t->incomplete = dwarf_attr(die, DW_AT_declaration, &a) != NULL;
}

/* "int (long, char*)", or with stars "int (*)(long, char*)" for a pointer to it */
static const char *function_name(DwModule *m, Dwarf_Die *die, const char *stars)
{
	Buf b = {0};
	Dwarf_Attribute a;
	buf_printf(&b, "%s (", dw_type_of(m, die)->name);
	if (*stars)
		buf_printf(&b, "%s)(", stars);
	Dwarf_Die p;
	int n = 0;
	if (dwarf_child(die, &p) == 0) {
		do {
			int tag = dwarf_tag(&p);
			if (tag == DW_TAG_formal_parameter)
				buf_printf(&b, "%s%s", n++ ? ", " : "", dw_type_of(m, &p)->name);
			else if (tag == DW_TAG_unspecified_parameters)
				buf_printf(&b, "%s...", n++ ? ", " : "");
		} while (dwarf_siblingof(&p, &p) == 0);
	}
	if (!n && dwarf_attr(die, DW_AT_prototyped, &a))
		buf_puts(&b, "void");
	buf_putc(&b, ')');
	return b.s;
}

static void fill_pointer(DwModule *m, Dwarf_Die *die, DwType *t)
{
	Dwarf_Attribute a;
	Dwarf_Die target;
	t->kind = DT_POINTER;
	t->size = die_udata(die, DW_AT_byte_size, 8);
	t->target = dw_type_of(m, die);
	if (dwarf_attr(die, DW_AT_type, &a) && dwarf_formref_die(&a, &target) &&
	    dwarf_tag(&target) == DW_TAG_subroutine_type)
		t->name = function_name(m, &target, "*");
	else
		t->name = arena_printf("%s*", t->target->name);
}

static int array_dims(Dwarf_Die *die, int64_t *dims, int max)
{
	Dwarf_Die r;
	int n = 0;
	if (dwarf_child(die, &r) != 0)
		return 0;
	do {
		if (dwarf_tag(&r) != DW_TAG_subrange_type || n == max)
			continue;
		int64_t count = die_udata(&r, DW_AT_count, -1);
		if (count < 0) {
			int64_t upper = die_udata(&r, DW_AT_upper_bound, -1);
			count = upper >= 0 ? upper + 1 : -1;
		}
		dims[n++] = count;
	} while (dwarf_siblingof(&r, &r) == 0);
	return n;
}

/* int a[2][3] is an array of 2 arrays of 3 ints; each level is named "int[2][3]", "int[3]". */
static void fill_array(DwModule *m, Dwarf_Die *die, DwType *t)
{
	DwType *elem = dw_type_of(m, die);
	int64_t dims[8];
	int nd = array_dims(die, dims, ARRAY_SIZE(dims));
	if (nd == 0)
		dims[nd++] = -1;
	DwType *inner = elem;
	for (int i = nd - 1; i >= 0; i--) {
		DwType *a = i == 0 ? t : arena_alloc(sizeof(*a));
		Buf name = {0};
		buf_puts(&name, elem->name);
		for (int j = i; j < nd; j++)
			if (dims[j] >= 0)
				buf_printf(&name, "[%lld]", (long long)dims[j]);
			else
				buf_puts(&name, "[]");
		a->kind = DT_ARRAY;
		a->name = name.s;
		a->target = inner;
		a->nelems = dims[i];
		a->size = dims[i] > 0 ? dims[i] * inner->size : 0;
		inner = a;
	}
}

/* A typedef or qualifier: the named type under another spelling. */
static void fill_alias(DwModule *m, Dwarf_Die *die, DwType *t, const char *name)
{
	DwType *target = dw_type_of(m, die);
	*t = *target;
	t->name = name;
}

static const char *qualified_name(DwModule *m, Dwarf_Die *die, const char *qual)
{
	const char *target = dw_type_of(m, die)->name;
	return qual ? arena_printf("%s %s", target, qual) : target;
}

static void fill_type(DwModule *m, Dwarf_Die *die, DwType *t)
{
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type:
		fill_base(die, t);
		break;
	case DW_TAG_enumeration_type:
		fill_enum(m, die, t);
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		fill_pointer(m, die, t);
		break;
	case DW_TAG_array_type:
		fill_array(m, die, t);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		fill_aggregate(die, t, DT_STRUCT, "struct");
		break;
	case DW_TAG_union_type:
		fill_aggregate(die, t, DT_UNION, "union");
		break;
	case DW_TAG_subroutine_type:
		t->kind = DT_FUNC;
		t->name = function_name(m, die, "");
		break;
	case DW_TAG_typedef:
		fill_alias(m, die, t, die_name(die) ? die_name(die) : "?");
		break;
	case DW_TAG_const_type:
		fill_alias(m, die, t, qualified_name(m, die, "const"));
		break;
	case DW_TAG_volatile_type:
		fill_alias(m, die, t, qualified_name(m, die, "volatile"));
		break;
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		fill_alias(m, die, t, qualified_name(m, die, NULL));
		break;
	default:		/* unspecified_type and the like */
		*t = void_type;
		break;
	}
}

/*
 * Cached by DIE offset, and cached before it is filled: a struct can
 * reach itself through a pointer member (members are read later anyway).
 * An alias keeps the offset of what it names, which members load from.
 */
DwType *dw_type_from_die(DwModule *m, Dwarf_Die *die)
{
	if (!die)
		return &void_type;
	uint64_t off = dwarf_dieoffset(die);
	DwType *t = offmap_get(&m->types, off);
	if (t)
		return t;
	t = arena_alloc(sizeof(*t));
	t->die_offset = off;
	offmap_put(&m->types, off, t);
	fill_type(m, die, t);
	return t;
}

/* ---- members ---- */

static int64_t member_offset(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t n;
	if (!dwarf_attr(die, DW_AT_data_member_location, &a))
		return 0;	/* union members */
	if (dwarf_formudata(&a, &w) == 0)
		return (int64_t)w;
	/* old style: DW_OP_plus_uconst N */
	if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst)
		return (int64_t)ops[0].number;
	return 0;
}

/*
 * A bitfield's bits as a storage unit of its type's size at a byte offset
 * and a shift from the unit's least significant bit (x86 is little-endian).
 * DWARF 4+ gives the bit offset from the struct's start; DWARF 2 the offset
 * of the most significant bit in a unit of DW_AT_byte_size.
 */
static void place_bitfield(Dwarf_Die *die, DwMember *mb)
{
	int64_t bits = die_udata(die, DW_AT_data_bit_offset, -1);
	if (bits < 0) {
		int64_t unit = die_udata(die, DW_AT_byte_size, mb->type->size);
		int64_t msb = die_udata(die, DW_AT_bit_offset, 0);
		bits = mb->offset * 8 + unit * 8 - msb - mb->bit_size;
	} else {
		bits += mb->offset * 8;
	}
	int64_t unit = mb->type->size > 0 && mb->type->size <= 8 ? mb->type->size : 4;
	int64_t at = bits / (unit * 8) * unit;
	if (bits - at * 8 + mb->bit_size > unit * 8)
		at = bits / 8;	/* a packed struct: the unit need not be aligned */
	mb->offset = at;
	mb->bit_offset = (int)(bits - at * 8);
}

static void load_members(DwModule *m, Dwarf_Die *die, DwType *t)
{
	Vec v = {0};
	Dwarf_Die c;
	if (dwarf_child(die, &c) == 0) {
		do {
			if (dwarf_tag(&c) != DW_TAG_member)
				continue;
			DwMember *mb = arena_alloc(sizeof(*mb));
			mb->name = die_name(&c);
			mb->type = dw_type_of(m, &c);
			mb->offset = member_offset(&c);
			mb->bit_size = (int)die_udata(&c, DW_AT_bit_size, 0);
			if (mb->bit_size)
				place_bitfield(&c, mb);
			vec_push(&v, mb);
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	t->members = v.len ? arena_alloc(v.len * sizeof(DwMember)) : no_members;
	for (int i = 0; i < v.len; i++)
		t->members[i] = *(DwMember *)v.items[i];
	t->nmembers = v.len;
}

static void copy_members(DwType *to, const DwType *from)
{
	to->members = from->members;
	to->nmembers = from->nmembers;
	to->incomplete = from->incomplete;
	to->size = from->size;
}

/*
 * A CU that only declares "struct foo;" gets foo's members from a CU
 * that defines it, as a debugger would.
 */
int dw_type_members(DwModule *m, DwType *t)
{
	if (t->kind != DT_STRUCT && t->kind != DT_UNION)
		return -1;
	if (!t->members && t->load_members)
		t->load_members(t);
	if (t->members)
		return t->incomplete ? -1 : t->nmembers;
	DwType *canon = t->die_offset ? offmap_get(&m->types, t->die_offset) : NULL;
	if (canon && canon != t) {
		dw_type_members(m, canon);
		copy_members(t, canon);
	} else if (t->incomplete) {
		DwType *def = dw_find_type(m, t->name);
		t->members = no_members;
		if (def && def != t && !def->incomplete && dw_type_members(m, def) >= 0)
			copy_members(t, def);
	} else {
		Dwarf_Die die;
		if (canon && dw_die(m, t->die_offset, &die))
			load_members(m, &die, t);
		else
			t->members = no_members;
	}
	return t->incomplete ? -1 : t->nmembers;
}

static void member_names(DwModule *m, DwType *t, Vec *names)
{
	if (dw_type_members(m, t) < 0)
		return;
	for (int i = 0; i < t->nmembers; i++) {
		if (t->members[i].name)
			vec_push(names, (void *)t->members[i].name);
		else
			member_names(m, t->members[i].type, names);
	}
}

static DwMember *find_member_in(DwModule *m, DwType *t, const char *name, int64_t base,
				int64_t *offset)
{
	if (dw_type_members(m, t) < 0)
		return NULL;
	for (int i = 0; i < t->nmembers; i++) {
		DwMember *mb = &t->members[i];
		if (mb->name && !strcmp(mb->name, name)) {
			*offset = base + mb->offset;
			return mb;
		}
		if (!mb->name) {	/* an anonymous struct or union: its members are t's */
			DwMember *found = find_member_in(m, mb->type, name, base + mb->offset,
							 offset);
			if (found)
				return found;
		}
	}
	return NULL;
}

DwMember *dw_find_member(DwModule *m, DwType *t, const char *name, int64_t *offset,
			 const char **similar)
{
	int64_t off = 0;
	DwMember *mb = find_member_in(m, t, name, 0, &off);
	if (mb) {
		if (offset)
			*offset = off;
		return mb;
	}
	if (similar) {
		Vec names = {0};
		member_names(m, t, &names);
		*similar = similar_names(name, (const char **)names.items, names.len, 3);
	}
	return NULL;
}

/* ---- types by name, for @cast ---- */

/* C spellings of base types as GCC names them in DWARF */
static const char *const base_spellings[][2] = {
	{"unsigned", "unsigned int"},
	{"signed", "int"},
	{"unsigned long", "long unsigned int"},
	{"long", "long int"},
	{"signed long", "long int"},
	{"unsigned long long", "long long unsigned int"},
	{"long long", "long long int"},
	{"unsigned short", "short unsigned int"},
	{"short", "short int"},
	{"unsigned char", "unsigned char"},
};

static DwType *lookup_named(DwModule *m, const char *name)
{
	Index *ix = dw_index(m);
	if (!ix)
		return NULL;
	uint32_t lo = 0, hi = ix->ntypes;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix_str(ix, ix->types[mid].name), name);
		if (c == 0) {
			Dwarf_Die die;
			if (!dw_die(m, ix->types[mid].die, &die))
				return NULL;
			return dw_type_from_die(m, &die);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static DwType *lookup_base(DwModule *m, const char *name)
{
	DwType *t = lookup_named(m, name);
	for (size_t i = 0; !t && i < ARRAY_SIZE(base_spellings); i++)
		if (!strcmp(name, base_spellings[i][0]))
			t = lookup_named(m, base_spellings[i][1]);
	if (!t && !strchr(name, ' ')) {	/* "task_struct" for "struct task_struct" */
		static const char *const words[] = {"struct", "union", "enum"};
		for (size_t i = 0; !t && i < ARRAY_SIZE(words); i++)
			t = lookup_named(m, arena_printf("%s %s", words[i], name));
	}
	return t;
}

DwType *dw_pointer_to(DwType *target)
{
	DwType *p = arena_alloc(sizeof(*p));
	p->kind = DT_POINTER;
	p->size = 8;
	p->target = target;
	p->name = arena_printf("%s*", target->name);
	return p;
}

/* "struct task_struct", "task_struct", "int", "struct file *" */
DwType *dw_find_type(DwModule *m, const char *name)
{
	Buf b = {0};
	int stars = 0;
	for (const char *p = name; *p; p++) {	/* one space between words, stars apart */
		if (*p == '*')
			stars++;
		else if (*p != ' ' && *p != '\t')
			buf_putc(&b, *p);
		else if (b.len && b.s[b.len - 1] != ' ')
			buf_putc(&b, ' ');
	}
	while (b.len && b.s[b.len - 1] == ' ')
		b.s[--b.len] = '\0';
	if (!b.len)
		return NULL;
	if (!strcmp(b.s, "void"))
		return stars ? dw_pointer_to(&void_type) : &void_type;
	DwType *t = lookup_base(m, b.s);
	while (t && stars--)
		t = dw_pointer_to(t);
	return t;
}
