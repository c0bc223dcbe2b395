// SPDX-License-Identifier: GPL-2.0
/*
 * `iotrace report --html OUT.html`: one self-contained page.  Everything is
 * inline: the style, the charts (SVG drawn here), a little script for the
 * sortable table and a file's detail, and the report's own result document
 * (what --format json writes, findings included) as JSON in a script
 * element, so the page is also a data file.  A Content-Security-Policy
 * forbids every fetch: the page works offline and cannot leak.
 *
 * Figures that a reader (or a test) may check carry their exact value in a
 * data-v attribute beside the rounded text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "format/document.h"
#include "format/json.h"

#define TOP_ROWS  10 /* rows of the overview's top lists */
#define HEAT_ROWS 20 /* files in the timeline heatmap */
#define HEAT_COLS 120
#define BARS_MAX  48 /* bars of a histogram chart */

static const char *const dir_name[2] = { "read", "write" };

/* bytes as HTML text: & < > " escaped, control bytes and invalid UTF-8 as '?' */
static void put_text(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t k = json_utf8_seq((const unsigned char *)s + i, len - i);
		unsigned char c = (unsigned char)s[i];

		if (!k || c < 0x20 || c == 0x7f) {
			fputc('?', f);
			i += k ? k : 1;
			continue;
		}
		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else
			fwrite(s + i, 1, k, f);
		i += k;
	}
}

static void put_str(FILE *f, const char *s)
{
	put_text(f, s, strlen(s));
}

/* a number: exact in data-v, rounded for the eye */
static void put_num(FILE *f, const char *tag, const char *id, uint64_t v, bool size)
{
	char b[32];

	if (size)
		fmt_size(b, sizeof(b), v);
	else
		snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
	fprintf(f, "<%s%s%s%s class=\"n\" data-v=\"%llu\">%s</%s>", tag, id ? " id=\"" : "",
		id ? id : "", id ? "\"" : "", (unsigned long long)v, b, tag);
}

/* ---- charts ------------------------------------------------------------------------ */

/* a bucket's label: a size or a latency, by its lower bound */
static void bucket_label(char *b, size_t sz, const struct rbucket *x, bool ns)
{
	if (ns)
		fmt_ns(b, sz, x->lo);
	else
		fmt_size(b, sz, x->lo);
}

/* a bar chart of a histogram's buckets (the last BARS_MAX when there are more) */
static void svg_hist(FILE *f, const char *title, const struct rhist *h, bool ns)
{
	const int w = 520, ht = 150, left = 8, base = 120;
	size_t from = h->cnt > BARS_MAX ? h->cnt - BARS_MAX : 0, n = h->cnt - from;
	uint64_t max = 1, all = 0;
	char b[32];

	for (size_t i = 0; i < h->cnt; i++) {
		max = h->b[i].cnt > max ? h->b[i].cnt : max;
		all += h->b[i].cnt;
	}
	fprintf(f, "<figure><figcaption>");
	put_str(f, title);
	fprintf(f, " <span class=\"dim\">(%llu calls)</span></figcaption>\n",
		(unsigned long long)all);
	if (!h->cnt) {
		fprintf(f, "<p class=\"dim\">no calls</p></figure>\n");
		return;
	}
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">\n", w, ht,
		w, ht);
	for (size_t i = 0; i < n; i++) {
		const struct rbucket *x = &h->b[from + i];
		double bw = (double)(w - 2 * left) / (double)n;
		double bh = (double)x->cnt / (double)max * (base - 10);
		double bx = left + (double)i * bw;

		bucket_label(b, sizeof(b), x, ns);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"bar\">"
			"<title>%s: %llu</title></rect>\n",
			bx + 1, base - bh, bw - 2 > 1 ? bw - 2 : 1, bh < 1 ? 1 : bh, b,
			(unsigned long long)x->cnt);
		if (n <= 12 || i % ((n + 11) / 12) == 0)
			fprintf(f,
				"<text x=\"%.1f\" y=\"%d\" class=\"lbl\" "
				"transform=\"rotate(45 %.1f %d)\">%s</text>\n",
				bx + bw / 2, base + 12, bx + bw / 2, base + 12, b);
	}
	fprintf(f, "</svg></figure>\n");
}

static int dir_hist(struct rentry *const *v, size_t n, int d, bool done, struct rhist *out)
{
	int err = 0;

	out->b = NULL;
	out->cnt = 0;
	for (size_t i = 0; i < n && !err; i++) {
		for (int k = 0; k < 3 && !err; k++) {
			struct rhist h;

			err = done ? rentry_done_hist(v[i], rdir_sides[d][k], &h)
				   : rentry_req_hist(v[i], rdir_sides[d][k], &h);
			err = err ?: rhist_add(out, &h);
			if (!err)
				rhist_free(&h);
		}
	}
	return err;
}

static int dir_lat(struct rentry *const *v, size_t n, int d, struct rhist *out)
{
	int err = 0;

	out->b = NULL;
	out->cnt = 0;
	for (size_t i = 0; i < n && !err; i++)
		for (int k = 0; k < 3 && !err; k++)
			err = rhist_add(out, &v[i]->side[rdir_sides[d][k]].lat);
	return err;
}

/* ---- sections ---------------------------------------------------------------------- */

static void overview(FILE *f, const struct rmodel *m, struct rentry *const *v, size_t n)
{
	const struct rmeta *mt = &m->meta;
	uint64_t calls = 0, errors = 0, fsyncs = 0, rb = 0, wb = 0;
	char start[64], dur[32];
	time_t t = (time_t)(mt->start_ns / 1000000000ULL);
	struct tm tm;

	for (size_t i = 0; i < n; i++) {
		calls += rentry_calls(v[i]);
		errors += rentry_errors(v[i]);
		fsyncs += v[i]->fsync.calls;
		rb += rentry_dir_bytes(v[i], 0);
		wb += rentry_dir_bytes(v[i], 1);
	}
	gmtime_r(&t, &tm);
	strftime(start, sizeof(start), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fmt_ns(dur, sizeof(dur), mt->end_ns - mt->start_ns);
	fprintf(f, "<section id=\"overview\"><h2>Overview</h2>\n<table class=\"kv\">\n");
	fprintf(f, "<tr><th>documents</th>");
	put_num(f, "td", "docs", mt->docs, false);
	fprintf(f, "</tr>\n<tr><th>hosts</th><td>");
	for (size_t i = 0; i < mt->hostname.cnt && i < 8; i++) {
		put_str(f, mt->hostname.v[i]);
		fputs(i + 1 < mt->hostname.cnt ? ", " : "", f);
	}
	if (mt->hostname.cnt > 8)
		fprintf(f, "... (%zu)", mt->hostname.cnt);
	fprintf(f, "</td></tr>\n<tr><th>kernels</th><td>");
	for (size_t i = 0; i < mt->kernel.cnt && i < 8; i++) {
		put_str(f, mt->kernel.v[i]);
		fputs(i + 1 < mt->kernel.cnt ? ", " : "", f);
	}
	fprintf(f, "</td></tr>\n<tr><th>start</th><td>%s</td></tr>\n", start);
	fprintf(f, "<tr><th>span</th><td>%s%s</td></tr>\n", dur,
		mt->run_cnt > 1 ? " (several runs apart in time)" : "");
	fprintf(f, "<tr><th>files</th>");
	put_num(f, "td", "tot-files", n, false);
	fprintf(f, "</tr>\n<tr><th>calls</th>");
	put_num(f, "td", "tot-calls", calls, false);
	fprintf(f, "</tr>\n<tr><th>errors</th>");
	put_num(f, "td", "tot-errors", errors, false);
	fprintf(f, "</tr>\n<tr><th>bytes read</th>");
	put_num(f, "td", "tot-read", rb, true);
	fprintf(f, "</tr>\n<tr><th>bytes written</th>");
	put_num(f, "td", "tot-written", wb, true);
	fprintf(f, "</tr>\n<tr><th>fsync calls</th>");
	put_num(f, "td", "tot-fsync", fsyncs, false);
	fprintf(f, "</tr>\n</table>\n");
	if (mt->dropped_files || mt->dropped_events || mt->missed_runs)
		fprintf(f,
			"<p class=\"warn\">not counted by the tracer: %llu files, %llu calls, "
			"%llu skipped program runs</p>\n",
			(unsigned long long)mt->dropped_files,
			(unsigned long long)mt->dropped_events,
			(unsigned long long)mt->missed_runs);
	fprintf(f, "</section>\n");
}

static struct rentry **sorted_copy(struct rentry *const *v, size_t n, enum rsort key)
{
	struct rentry **s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	report_sort(s, n, key);
	return s;
}

static void top_list(FILE *f, const char *title, struct rentry *const *v, size_t n, enum rsort key)
{
	struct rentry **s = sorted_copy(v, n, key);

	if (!s)
		return;
	fprintf(f, "<div class=\"top\"><h3>%s</h3><ol>\n", title);
	for (size_t i = 0; i < n && i < TOP_ROWS; i++) {
		fprintf(f, "<li><span class=\"path\">");
		put_text(f, s[i]->path, s[i]->path_len);
		fprintf(f, "</span> ");
		put_num(f, "span", NULL,
			key == SORT_BYTES ? rentry_bytes(s[i]) : rentry_calls(s[i]),
			key == SORT_BYTES);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ol></div>\n");
	free(s);
}

static void top_dirs(FILE *f, struct rentry *const *v, size_t n)
{
	const struct rgroup g = { BY_DIR, UINT32_MAX };
	struct rtable t = { 0 };
	struct rentry **s;

	if (report_group(&t, v, n, &g))
		goto out;
	s = sorted_copy(t.v, t.cnt, SORT_BYTES);
	if (!s)
		goto out;
	fprintf(f, "<div class=\"top\"><h3>Directories by bytes</h3><ol>\n");
	for (size_t i = 0; i < t.cnt && i < TOP_ROWS; i++) {
		fprintf(f, "<li><span class=\"path\">");
		put_text(f, s[i]->path, s[i]->path_len);
		fprintf(f, "</span> ");
		put_num(f, "span", NULL, rentry_bytes(s[i]), true);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ol></div>\n");
	free(s);
out:
	rtable_free(&t);
}

static void sizes(FILE *f, struct rentry *const *v, size_t n)
{
	fprintf(f, "<section id=\"sizes\"><h2>Request and completed sizes</h2>\n"
		   "<div class=\"charts\">\n");
	for (int d = 0; d < 2; d++) {
		for (int done = 0; done < 2; done++) {
			struct rhist h;
			char title[64];

			if (dir_hist(v, n, d, done, &h))
				continue;
			snprintf(title, sizeof(title), "%s: %s sizes", dir_name[d],
				 done ? "completed" : "requested");
			svg_hist(f, title, &h, false);
			rhist_free(&h);
		}
	}
	fprintf(f, "</div></section>\n");
}

static void access_share(FILE *f, struct rentry *const *v, size_t n)
{
	fprintf(f, "<section id=\"access\"><h2>Sequential and random access</h2>\n");
	for (int d = 0; d < 2; d++) {
		uint64_t ok = 0, seq = 0;
		double pct;

		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 3; k++) {
				const struct rside *s = &v[i]->side[rdir_sides[d][k]];

				ok += s->calls - s->errors;
				seq += s->seq_calls;
			}
		pct = ok ? 100.0 * (double)seq / (double)ok : 0;
		fprintf(f, "<div class=\"share\"><span>%s: %.0f%% sequential of ", dir_name[d],
			pct);
		put_num(f, "span", d ? "seq-write-calls" : "seq-read-calls", ok, false);
		fprintf(f,
			" calls</span><svg viewBox=\"0 0 400 16\" width=\"400\" height=\"16\">"
			"<rect width=\"400\" height=\"16\" class=\"rnd\"/>"
			"<rect width=\"%.1f\" height=\"16\" class=\"seq\"/></svg></div>\n",
			4 * pct);
	}
	fprintf(f, "</section>\n");
}

static void latency(FILE *f, struct rentry *const *v, size_t n)
{
	struct rhist fs = { 0 };

	fprintf(f, "<section id=\"latency\"><h2>Latency</h2><div class=\"charts\">\n");
	for (int d = 0; d < 2; d++) {
		struct rhist h;
		char title[32];

		if (dir_lat(v, n, d, &h))
			continue;
		snprintf(title, sizeof(title), "%s latency", dir_name[d]);
		svg_hist(f, title, &h, true);
		rhist_free(&h);
	}
	for (size_t i = 0; i < n; i++)
		if (rhist_add(&fs, &v[i]->fsync.lat))
			break;
	svg_hist(f, "fsync and fdatasync latency", &fs, true);
	rhist_free(&fs);
	fprintf(f, "</div></section>\n");
}

/* bytes of every side in bin range [from, to) of an entry's timeline */
static uint64_t bin_bytes(const struct rentry *e, uint64_t from, uint64_t to)
{
	uint64_t v = 0;

	for (int s = 0; s < SIDES; s++)
		for (size_t i = 0; i < e->tl[s].cnt; i++)
			if (e->tl[s].b[i].bin >= from && e->tl[s].b[i].bin < to)
				v += e->tl[s].b[i].bytes;
	return v;
}

/* the busiest files over time: a row per file, a cell per column of bins, darker for more */
static void heatmap(FILE *f, const struct rmodel *m, struct rentry *const *v, size_t n)
{
	uint64_t bins = m->meta.bins, per = 1, cols, max = 1;
	struct rentry **s;
	size_t rows;

	if (m->meta.tl != 1 || bins < 2)
		return;
	s = sorted_copy(v, n, SORT_BYTES);
	if (!s)
		return;
	per = (bins + HEAT_COLS - 1) / HEAT_COLS;
	cols = (bins + per - 1) / per;
	rows = n < HEAT_ROWS ? n : HEAT_ROWS;
	for (size_t r = 0; r < rows; r++)
		for (uint64_t c = 0; c < cols; c++) {
			uint64_t b = bin_bytes(s[r], c * per, (c + 1) * per);

			max = b > max ? b : max;
		}
	fprintf(f,
		"<section id=\"timeline\"><h2>Bytes over time</h2>\n"
		"<p class=\"dim\">%llu bins of %.3g s%s; the %zu files that moved the most</p>\n",
		(unsigned long long)bins, (double)m->meta.bin_ns / 1e9,
		per > 1 ? ", a few per cell" : "", rows);
	fprintf(f,
		"<svg viewBox=\"0 0 %llu %zu\" width=\"100%%\" height=\"%zu\" "
		"preserveAspectRatio=\"none\" class=\"heat\">\n",
		(unsigned long long)cols, rows * 10, rows * 14);
	for (size_t r = 0; r < rows; r++) {
		for (uint64_t c = 0; c < cols; c++) {
			uint64_t b = bin_bytes(s[r], c * per, (c + 1) * per);
			char sz[16];

			if (!b)
				continue;
			fmt_size(sz, sizeof(sz), b);
			fprintf(f,
				"<rect x=\"%llu\" y=\"%zu\" width=\"1\" height=\"9\" "
				"fill-opacity=\"%.2f\"><title>",
				(unsigned long long)c, r * 10,
				0.15 + 0.85 * (double)b / (double)max);
			put_text(f, s[r]->path, s[r]->path_len);
			fprintf(f, ": %s</title></rect>\n", sz);
		}
	}
	fprintf(f, "</svg>\n<ol class=\"heatnames\">\n");
	for (size_t r = 0; r < rows; r++) {
		fprintf(f, "<li class=\"path\">");
		put_text(f, s[r]->path, s[r]->path_len);
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ol></section>\n");
	free(s);
}

static void findings(FILE *f, const struct rfindings *fs)
{
	fprintf(f, "<section id=\"findings\"><h2>Findings</h2>\n");
	if (!fs->cnt)
		fprintf(f, "<p class=\"dim\">none: no rule's threshold was crossed</p>\n");
	for (size_t i = 0; i < fs->cnt; i++) {
		const struct rfinding *x = &fs->v[i];

		if (!i || x->rule != fs->v[i - 1].rule) {
			fprintf(f, "%s<div class=\"finding\"><h3>%s</h3><p class=\"dim\">",
				i ? "</ul></div>\n" : "", x->rule->id);
			put_str(f, x->rule->threshold);
			fprintf(f, "</p><p>");
			put_str(f, x->rule->advice);
			fprintf(f, "</p><ul>\n");
		}
		fprintf(f, "<li><span class=\"path\">");
		put_text(f, x->e->path, x->e->path_len);
		fprintf(f, "</span>: ");
		put_str(f, x->what);
		fprintf(f, "</li>\n");
	}
	if (fs->cnt)
		fprintf(f, "</ul></div>\n");
	fprintf(f, "</section>\n");
}

/* every entry, in the embedded document's order (by path): data-i is its index there */
static void file_table(FILE *f, struct rentry *const *v, size_t n)
{
	fprintf(f, "<section id=\"files\"><h2>Files</h2>\n<p class=\"dim\">Click a column to "
		   "sort, a row for its detail.</p>\n<table id=\"ftab\" class=\"files\"><thead>"
		   "<tr><th data-k=\"t\">path</th><th>reads</th><th>read</th><th>writes</th>"
		   "<th>written</th><th>seq %%</th><th>fsync</th><th>errors</th></tr></thead>"
		   "<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct rentry *e = v[i];
		unsigned int pm = 0;
		bool seq = rentry_seq_permille(e, SIDES_ALL, &pm);

		fprintf(f, "<tr data-i=\"%zu\"><td class=\"path\">", i);
		put_text(f, e->path, e->path_len);
		if (e->has_pid)
			fprintf(f, " [%llu]", (unsigned long long)e->pid);
		fprintf(f, "</td>");
		put_num(f, "td", NULL, rentry_dir_calls(e, 0, false), false);
		put_num(f, "td", NULL, rentry_dir_bytes(e, 0), true);
		put_num(f, "td", NULL, rentry_dir_calls(e, 1, false), false);
		put_num(f, "td", NULL, rentry_dir_bytes(e, 1), true);
		if (seq)
			fprintf(f, "<td class=\"n\" data-v=\"%u\">%u</td>", pm, pm / 10);
		else
			fprintf(f, "<td class=\"n\" data-v=\"-1\"></td>");
		put_num(f, "td", NULL, e->fsync.calls, false);
		put_num(f, "td", NULL, rentry_errors(e), false);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n<div id=\"detail\" hidden></div></section>\n");
}

/* the report's result document, with "</" written "<\/" so that it cannot end the element */
static int embed_document(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
			  bool per_process, void (*extra)(struct json *, void *), void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (!mem)
		return -ENOMEM;
	report_write_json(mem, m, v, n, per_process, extra, ctx);
	if (fclose(mem)) {
		free(buf);
		return -ENOMEM;
	}
	fprintf(f, "<script type=\"application/json\" id=\"iotrace-data\">\n");
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '<' && i + 1 < len && buf[i + 1] == '/')
			fputs("<\\", f);
		else
			fputc(buf[i], f);
	}
	fprintf(f, "</script>\n");
	free(buf);
	return 0;
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;"
	"color:#1d2430}h1{margin:16px 0 4px}h2{border-bottom:1px solid #ccd;margin-top:28px}"
	"h3{margin:12px 0 4px;font-size:15px}.dim{color:#667}.warn{color:#a40}"
	".path{font-family:ui-monospace,monospace;word-break:break-all}"
	"table.kv th{text-align:left;padding-right:16px;font-weight:600}"
	".n{text-align:right;font-variant-numeric:tabular-nums}"
	".tops{display:flex;flex-wrap:wrap;gap:24px}.top{flex:1 1 320px}"
	".charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-weight:600}"
	".bar{fill:#3a6ea5}.bar:hover{fill:#e07b00}.lbl{font-size:9px;fill:#445}"
	".seq{fill:#3a6ea5}.rnd{fill:#e8a33d}.share{margin:6px 0}.share>span{display:inline-block;"
	"width:360px}.heat rect{fill:#3a6ea5}.heatnames{font-size:12px;columns:2}"
	".finding{border-left:4px solid #e8a33d;padding-left:12px;margin:12px 0}"
	"table.files{border-collapse:collapse;width:100%}table.files th{cursor:pointer;"
	"background:#eef1f6;position:sticky;top:0;text-align:right;padding:4px 6px}"
	"table.files th:first-child{text-align:left}table.files td{padding:2px 6px;"
	"border-bottom:1px solid #eef}table.files tbody tr{cursor:pointer}"
	"table.files tbody tr:hover{background:#f5f7fb}"
	"#detail{border:1px solid #ccd;padding:8px 16px;margin:12px 0;background:#fbfcfe}";

/*
 * The table sorts by a header's column (data-v when a cell has it, else its
 * text), a second click reverses; a row shows that file's detail from the
 * embedded document: each syscall's counts and its request-size histogram.
 */
static const char script[] =
	"(function(){'use strict';"
	"var doc=JSON.parse(document.getElementById('iotrace-data').textContent);"
	"var tab=document.getElementById('ftab'),body=tab.tBodies[0],dir={};"
	"function key(td){var v=td.getAttribute('data-v');return v===null?td.textContent:+v;}"
	"Array.prototype.forEach.call(tab.tHead.rows[0].cells,function(th,c){"
	"th.addEventListener('click',function(){var rows=Array.prototype.slice.call(body.rows);"
	"var d=dir[c]=-(dir[c]||1);rows.sort(function(a,b){var x=key(a.cells[c]),"
	"y=key(b.cells[c]);return x<y?d:x>y?-d:0;});"
	"rows.forEach(function(r){body.appendChild(r);});});});"
	"function el(t,txt){var e=document.createElement(t);if(txt!==undefined)"
	"e.textContent=txt;return e;}"
	"function bars(h){var ns='http://www.w3.org/2000/svg',s=document.createElementNS(ns,'svg'),"
	"max=1,w=300,bw;s.setAttribute('width',w);s.setAttribute('height',60);"
	"h.forEach(function(b){max=Math.max(max,b[2]);});bw=w/Math.max(h.length,1);"
	"h.forEach(function(b,i){var r=document.createElementNS(ns,'rect'),"
	"ht=Math.max(1,b[2]/max*56);r.setAttribute('x',i*bw+1);r.setAttribute('y',58-ht);"
	"r.setAttribute('width',Math.max(1,bw-2));r.setAttribute('height',ht);"
	"r.setAttribute('class','bar');var t=document.createElementNS(ns,'title');"
	"t.textContent=b[0]+'..'+b[1]+': '+b[2];r.appendChild(t);s.appendChild(r);});return s;}"
	"body.addEventListener('click',function(ev){var tr=ev.target.closest('tr');"
	"if(!tr)return;var f=doc.files[+tr.getAttribute('data-i')],d="
	"document.getElementById('detail');d.hidden=false;d.textContent='';"
	"d.appendChild(el('h3',f.path));var t=el('table'),hd=el('tr');"
	"['syscall','calls','errors','bytes','request sizes'].forEach(function(x){"
	"hd.appendChild(el('th',x));});t.appendChild(hd);"
	"Object.keys(f.syscalls||{}).forEach(function(k){var s=f.syscalls[k],r=el('tr');"
	"r.appendChild(el('td',k));r.appendChild(el('td',s.calls));r.appendChild(el('td',"
	"s.errors));r.appendChild(el('td',s.bytes===undefined?'':s.bytes));var c=el('td');"
	"if(s.req_hist)c.appendChild(bars(s.req_hist));r.appendChild(c);t.appendChild(r);});"
	"d.appendChild(t);d.scrollIntoView({block:'nearest'});});"
	"document.body.setAttribute('data-ready',doc.files.length);})();";

int report_write_html(FILE *f, const struct rmodel *m, struct rentry **v, size_t n,
		      bool per_process, const struct rfindings *fs,
		      void (*extra)(struct json *, void *), void *ctx)
{
	int err;

	/* the embedded document's order (by path) is the table's: data-i indexes both */
	rentry_sort_path(v, n);
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		"<meta name=\"viewport\" content=\"width=device-width\">\n"
		"<title>iotrace report</title>\n<style>%s</style></head><body>\n"
		"<h1>iotrace report</h1>\n<p class=\"dim\">iotrace " IOTRACE_VERSION
		"; the data of this page is in it as a result document "
		"(script#iotrace-data)</p>\n",
		style);
	overview(f, m, v, n);
	fprintf(f, "<section id=\"tops\"><h2>Where the I/O went</h2><div class=\"tops\">\n");
	top_list(f, "Files by bytes", v, n, SORT_BYTES);
	top_list(f, "Files by calls", v, n, SORT_CALLS);
	top_dirs(f, v, n);
	fprintf(f, "</div></section>\n");
	if (fs) /* NULL: the rules were not run (--no-findings) */
		findings(f, fs);
	sizes(f, v, n);
	access_share(f, v, n);
	latency(f, v, n);
	heatmap(f, m, v, n);
	file_table(f, v, n);
	err = embed_document(f, m, v, n, per_process, extra, ctx);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
	return err;
}
