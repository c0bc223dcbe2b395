// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the BPF object loader (make fuzz): every stage that
 * needs no kernel.  An input is either
 *  - one or more ELF objects separated by OBJ_SEP: obj__open_mem (ELF sanity
 *    checks, .BTF/.BTF.ext, maps, relocation classes, programs), then
 *    obj__relocate (link of subprograms across objects, map and call fixups,
 *    CO-RE) against a small kernel-like BTF built here and, when readable,
 *    against /sys/kernel/btf/vmlinux; or
 *  - a BTF blob (it starts with the BTF magic): parsed as a vmlinux, then the
 *    production objects (read once from .output/) are relocated against it,
 *    so CO-RE meets malformed target types.
 * Any input must give 0 or an error with a message, never a crash or a leak.
 */
#include <linux/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OBJ_SEP	 "\n--obj--\n"
#define MAX_OBJS 8
#define VMLINUX	 "/sys/kernel/btf/vmlinux"

static bool said_something;

static void quiet_print(enum loader_level level, const char *msg, void *ctx)
{
	(void)ctx;
	said_something |= level == LOADER_WARN && *msg;
}

static const struct obj_open_opts quiet = { .sz = sizeof(quiet), .print = quiet_print };
static struct printer quiet_pr;

/* ---- the small kernel-like BTF: struct file, path, dentry, task_struct ---- */
static uint32_t words[256];
static size_t word_cnt;
static char strs[1024];
static size_t str_len = 1;

static uint32_t str(const char *s)
{
	uint32_t off = (uint32_t)str_len;

	memcpy(strs + str_len, s, strlen(s) + 1);
	str_len += strlen(s) + 1;
	return off;
}

static void w(uint32_t v)
{
	words[word_cnt++] = v;
}

static void type(const char *name, uint32_t kind, uint32_t vlen, uint32_t size_or_type)
{
	w(name ? str(name) : 0);
	w(kind << 24 | vlen);
	w(size_or_type);
}

static void member(const char *name, uint32_t type_id, uint32_t bit_off)
{
	w(name ? str(name) : 0);
	w(type_id);
	w(bit_off);
}

/*
 * [1] int  [2] void *  [3] long long  [4] struct qstr { name @8 }
 * [5] struct dentry { d_parent @24, d_name @32 }  [6] struct path { mnt, dentry }
 * [7] struct inode { i_mode @0, i_ino @64, i_size @80 }
 * [8] struct file { f_mode @4, f_path @16, f_inode @32, f_pos @40 }
 * [9] struct task_struct { tgid @8, pid @12, comm[16] @16 }  [10] char  [11] char[16]
 */
static struct btf_data *small_btf(void)
{
	struct btf_header h = { .magic = BTF_MAGIC, .version = 1, .hdr_len = sizeof(h) };
	static uint8_t blob[sizeof(h) + sizeof(words) + sizeof(strs)];
	struct btf_data *btf;

	type("int", BTF_KIND_INT, 0, 4), w(32);
	type(NULL, BTF_KIND_PTR, 0, 0);
	type("long long", BTF_KIND_INT, 0, 8), w(64);
	type("qstr", BTF_KIND_STRUCT, 1, 16), member("name", 2, 64);
	type("dentry", BTF_KIND_STRUCT, 2, 48), member("d_parent", 2, 192),
		member("d_name", 4, 256);
	type("path", BTF_KIND_STRUCT, 2, 16), member("mnt", 2, 0), member("dentry", 2, 64);
	type("inode", BTF_KIND_STRUCT, 3, 88), member("i_mode", 1, 0), member("i_ino", 3, 512),
		member("i_size", 3, 640);
	type("file", BTF_KIND_STRUCT, 4, 48), member("f_mode", 1, 32), member("f_path", 6, 128),
		member("f_inode", 2, 256), member("f_pos", 3, 320);
	type("task_struct", BTF_KIND_STRUCT, 3, 32), member("tgid", 1, 64), member("pid", 1, 96),
		member("comm", 11, 128);
	type("char", BTF_KIND_INT, 0, 1), w(8);
	type(NULL, BTF_KIND_ARRAY, 0, 0), w(10), w(1), w(16);
	h.type_len = (uint32_t)(word_cnt * 4);
	h.str_off = h.type_len;
	h.str_len = (uint32_t)str_len;
	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), words, h.type_len);
	memcpy(blob + sizeof(h) + h.type_len, strs, str_len);
	if (btf_data__parse(&btf, blob, sizeof(h) + h.type_len + h.str_len, "small", &quiet_pr))
		abort();
	return btf;
}

/* ---- production objects for the BTF-input mode -------------------------- */
static const char *const prod_names[] = { "bpf/rw.bpf.o", "bpf/task.bpf.o", "asm/hist.o",
					  "asm/seq.o", "asm/filter.o" };
#define PROD_CNT (sizeof(prod_names) / sizeof(prod_names[0]))
static struct obj_src prod[PROD_CNT];
static bool have_prod;

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void read_prod(void)
{
	char path[4096];

	have_prod = true;
	for (size_t i = 0; i < PROD_CNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", OUT_DIR, prod_names[i]);
		prod[i].name = prod_names[i];
		prod[i].data = slurp(path, &prod[i].size);
		have_prod &= prod[i].data != NULL;
	}
}

static struct btf_data *small, *vmlinux;

static void relocate_fresh(const struct obj_src *srcs, size_t n, const struct btf_data *targ)
{
	struct obj *o;

	said_something = false;
	if (obj__open_mem(&o, srcs, n, &quiet)) {
		if (!said_something)
			abort(); /* every refusal names its reason (house style) */
		return;
	}
	said_something = false;
	if (obj__relocate(o, targ) && !said_something)
		abort();
	obj__close(o);
}

static void fuzz_objects(const uint8_t *data, size_t size)
{
	struct obj_src srcs[MAX_OBJS];
	size_t n = 0, sep = strlen(OBJ_SEP);
	const uint8_t *p = data, *end = data + size;

	while (n < MAX_OBJS) {
		const uint8_t *next = memmem(p, (size_t)(end - p), OBJ_SEP, sep);

		srcs[n] = (struct obj_src){ .name = "fuzz.o",
					    .data = p,
					    .size = (size_t)((next ? next : end) - p) };
		n++;
		if (!next)
			break;
		p = next + sep;
	}
	relocate_fresh(srcs, n, NULL);
	relocate_fresh(srcs, n, small);
	if (vmlinux)
		relocate_fresh(srcs, n, vmlinux);
}

static void fuzz_target_btf(const uint8_t *data, size_t size)
{
	struct btf_data *targ;

	if (btf_data__parse(&targ, data, size, "fuzz-vmlinux", &quiet_pr))
		return;
	if (have_prod)
		relocate_fresh(prod, PROD_CNT, targ);
	btf_data__free(targ);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t magic = BTF_MAGIC;

	if (!small) {
		printer_init(&quiet_pr, quiet_print, NULL);
		small = small_btf();
		if (!getenv("ELF_FUZZ_NO_VMLINUX"))
			btf_data__load_file(&vmlinux, VMLINUX, &quiet_pr);
		read_prod();
	}
	if (size >= 2 && !memcmp(data, &magic, 2))
		fuzz_target_btf(data, size);
	else
		fuzz_objects(data, size);
	return 0;
}
