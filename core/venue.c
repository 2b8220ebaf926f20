/* Venues and rooms; see venue.h. */
#include "core/venue.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/refdata.h"
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sk_seat_label(char out[16], int row, int col)
{
	char letters[8];
	int n = 0;
	for (int r = row; r > 0 && n < 7; r = (r - 1) / 26)
		letters[n++] = (char)('A' + (r - 1) % 26);
	char rev[8];
	for (int i = 0; i < n; i++)
		rev[i] = letters[n - 1 - i];
	rev[n] = '\0';
	snprintf(out, 16, "%s-%02d", rev, col % 1000);
	return out;
}

static int code_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int sk_room_parse(struct sk_room *out, const char *spec)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(out->code))
		return SK_EINPUT;
	memcpy(out->code, spec, (size_t)(colon - spec));
	out->code[colon - spec] = '\0';
	char *end = NULL;
	errno = 0;
	long r = strtol(colon + 1, &end, 10);
	if (errno || (*end != 'x' && *end != 'X'))
		return SK_EINPUT;
	const char *cpart = end + 1;
	long c = strtol(cpart, &end, 10);
	if (errno || *end || end == cpart || r < 1 || r > 100 || c < 1 || c > 100 ||
	    !code_ok(out->code, 16))
		return SK_EINPUT;
	out->rows = (int)r;
	out->cols = (int)c;
	return 0;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static const char sql_venue_by_code[] =
	"SELECT id, code, name, country, city, address FROM venue WHERE code = ?1";
static const char sql_rooms[] =
	"SELECT id, code, seat_rows, seat_cols FROM room WHERE venue_id = ?1 ORDER BY code";

static int load_rooms(struct sk_db *db, struct sk_venue *v)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_rooms);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, v->id);
	while (sqlite3_step(st) == SQLITE_ROW && v->nrooms < 64) {
		struct sk_room *r = &v->rooms[v->nrooms++];
		r->id = sqlite3_column_int64(st, 0);
		copy_col(r->code, sizeof(r->code), st, 1);
		r->rows = sqlite3_column_int(st, 2);
		r->cols = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	return 0;
}

static void fill_venue(sqlite3_stmt *st, struct sk_venue *v)
{
	memset(v, 0, sizeof(*v));
	v->id = sqlite3_column_int64(st, 0);
	copy_col(v->code, sizeof(v->code), st, 1);
	copy_col(v->name, sizeof(v->name), st, 2);
	copy_col(v->country, sizeof(v->country), st, 3);
	copy_col(v->city, sizeof(v->city), st, 4);
	copy_col(v->address, sizeof(v->address), st, 5);
}

int sk_venue_get(struct sk_db *db, const char *code, struct sk_venue *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = sk_db_stmt(db, sql_venue_by_code);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fill_venue(st, out);
		sqlite3_reset(st);
		return load_rooms(db, out);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return sk_db_fail(db, SK_ENOTFOUND, "no venue '%s'", code);
	return sk_db_sqlfail(db, "reading a venue");
}

int sk_venue_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_venue *v),
		     void *payload)
{
	static const char sql[] = "SELECT id, code, name, country, city, address FROM venue ORDER BY code";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing venues");
	int rc = 0, step;
	struct sk_venue *v = malloc(sizeof(*v));
	if (!v) {
		sqlite3_finalize(st);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		fill_venue(st, v);
		if ((rc = load_rooms(db, v)) || (rc = cb(payload, v)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing venues");
	free(v);
	sqlite3_finalize(st);
	return rc;
}

/* Field checks shared by add and import; problems reported against `file`
 * and `line` (both may be empty). Returns the number of problems. */
static int check_venue(const struct sk_venue *v, struct sk_report *rep, const char *file, long line)
{
	int bad = 0;
	char limit[24];
	const char *why;
	if (!code_ok(v->code, 32)) {
		sk_report_add(rep, file, line, "venue", N_("'%s' is not a venue code (1-32 letters, digits, '-', '_')"), v->code, NULL, NULL);
		bad++;
	}
	if (!v->name[0] || (why = sk_check_text(v->name, 120, limit))) {
		sk_report_add(rep, file, line, "name", v->name[0] ? why : N_("is empty"), limit, NULL, NULL);
		bad++;
	}
	if (!sk_country_find(v->country)) {
		sk_report_add(rep, file, line, "country", N_("'%s' is not an ISO 3166-1 country code"), v->country, NULL, NULL);
		bad++;
	}
	if (!v->city[0] || (why = sk_check_text(v->city, 80, limit))) {
		sk_report_add(rep, file, line, "city", v->city[0] ? why : N_("is empty"), limit, NULL, NULL);
		bad++;
	}
	if (!v->address[0] || (why = sk_check_text(v->address, 200, limit))) {
		sk_report_add(rep, file, line, "address", v->address[0] ? why : N_("is empty"), limit, NULL, NULL);
		bad++;
	}
	return bad;
}

static const char sql_insert_venue[] =
	"INSERT INTO venue (code, name, country, city, address, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_update_venue[] =
	"UPDATE venue SET name = ?2, country = ?3, city = ?4, address = ?5 WHERE id = ?1";
static const char sql_insert_room[] =
	"INSERT INTO room (venue_id, code, seat_rows, seat_cols) VALUES (?1, ?2, ?3, ?4)";
static const char sql_update_room[] = "UPDATE room SET seat_rows = ?2, seat_cols = ?3 WHERE id = ?1";
static const char sql_room_used[] =
	"SELECT count(*) FROM registration WHERE room_id = ?1 AND status = 'registered'"
	" AND (seat_row > ?2 OR seat_col > ?3)";

static int step_done(struct sk_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, what);
	sqlite3_reset(st);
	return rc;
}

/* The old shape of room r, or NULL when it is new. */
static const struct sk_room *old_room(const struct sk_venue *old, const struct sk_room *r)
{
	for (size_t k = 0; old && k < old->nrooms; k++)
		if (!strcmp(old->rooms[k].code, r->code))
			return &old->rooms[k];
	return NULL;
}

/* Refusals that depend on the registry, checked before anything is written
 * so that a refused venue leaves no trace even inside an import's shared
 * transaction. Returns 0 with *refused set, or an error. */
static int check_change(struct sk_db *db, const struct sk_venue *v, const struct sk_venue *old,
			const long *room_lines, int *refused, struct sk_report *rep,
			const char *file, long line)
{
	*refused = 0;
	if (!old && v->nrooms == 0) {
		sk_report_add(rep, file, line, "room", N_("a venue needs at least one room (like --room A:8x10)"), NULL, NULL, NULL);
		*refused = 1;
	}
	for (size_t i = 0; i < v->nrooms; i++) {
		const struct sk_room *r = &v->rooms[i], *was = old_room(old, r);
		if (!was || (was->rows <= r->rows && was->cols <= r->cols))
			continue;
		sqlite3_stmt *st = sk_db_stmt(db, sql_room_used);
		if (!st)
			return db->err;
		sqlite3_bind_int64(st, 1, was->id);
		sqlite3_bind_int(st, 2, r->rows);
		sqlite3_bind_int(st, 3, r->cols);
		int step = sqlite3_step(st);
		int used = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
		sqlite3_reset(st);
		if (step != SQLITE_ROW)
			return sk_db_sqlfail(db, "reading a room's registrations");
		if (used) {
			char n[24];
			snprintf(n, sizeof(n), "%d", used);
			sk_report_add(rep, file, room_lines ? room_lines[i] : line, "room",
				      N_("room '%s' cannot shrink: registered candidates would sit outside the new grid (%s)"),
				      r->code, n, NULL);
			*refused = 1;
		}
	}
	return 0;
}

/* The body of save, inside a transaction; problems go to rep at file:line
 * (each room's at room_lines[i] when given). */
static int save_in_tx(struct sk_db *db, const struct sk_venue *v, int *outcome,
		      struct sk_report *rep, const char *file, long line, const long *room_lines)
{
	*outcome = 0;
	struct sk_venue *old = malloc(sizeof(*old));
	struct sk_buf d = SK_BUF_INIT;
	int rc = 0, refused = 0;
	if (!old)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	int g = sk_venue_get(db, v->code, old);
	if (g && g != SK_ENOTFOUND) {
		rc = g;
		goto cleanup;
	}
	sk_db_clear_error(db);
	if ((rc = check_change(db, v, g ? NULL : old, room_lines, &refused, rep, file, line)))
		goto cleanup;
	if (refused) {
		*outcome = -1;
		goto cleanup;
	}
	char now[21];
	sk_db_now(db, now);
	sqlite3_stmt *st;
	int64_t venue_id;
	sk_buf_addch(&d, '{');
	if (g == SK_ENOTFOUND) {
		if (!(st = sk_db_stmt(db, sql_insert_venue))) {
			rc = db->err;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, v->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v->country, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, v->city, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, v->address, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "adding a venue")))
			goto cleanup;
		venue_id = sqlite3_last_insert_rowid(db->sql);
		sk_buf_adds(&d, "\"name\":");
		sk_buf_add_json_str(&d, v->name);
		sk_buf_addf(&d, ",\"country\":\"%s\",\"city\":", v->country);
		sk_buf_add_json_str(&d, v->city);
		sk_buf_adds(&d, ",\"address\":");
		sk_buf_add_json_str(&d, v->address);
		*outcome = 1;
	} else {
		venue_id = old->id;
		const char *names[] = { "name", "country", "city", "address" };
		const char *was[] = { old->name, old->country, old->city, old->address };
		const char *now_v[] = { v->name, v->country, v->city, v->address };
		int changed = 0;
		for (int i = 0; i < 4; i++) {
			if (!strcmp(was[i], now_v[i]))
				continue;
			sk_buf_addf(&d, "%s\"%s\":[", changed++ ? "," : "", names[i]);
			sk_buf_add_json_str(&d, was[i]);
			sk_buf_addch(&d, ',');
			sk_buf_add_json_str(&d, now_v[i]);
			sk_buf_addch(&d, ']');
		}
		if (changed) {
			if (!(st = sk_db_stmt(db, sql_update_venue))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, venue_id);
			sqlite3_bind_text(st, 2, v->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, v->country, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, v->city, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, v->address, -1, SQLITE_STATIC);
			if ((rc = step_done(db, st, "updating a venue")))
				goto cleanup;
			*outcome = 2;
		}
	}
	for (size_t i = 0; i < v->nrooms; i++) {
		const struct sk_room *r = &v->rooms[i];
		const struct sk_room *was = old_room(g ? NULL : old, r);
		if (was && was->rows == r->rows && was->cols == r->cols)
			continue;
		if (was) {
			if (!(st = sk_db_stmt(db, sql_update_room))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, was->id);
			sqlite3_bind_int(st, 2, r->rows);
			sqlite3_bind_int(st, 3, r->cols);
			if ((rc = step_done(db, st, "resizing a room")))
				goto cleanup;
		} else {
			if (!(st = sk_db_stmt(db, sql_insert_room))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, venue_id);
			sqlite3_bind_text(st, 2, r->code, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 3, r->rows);
			sqlite3_bind_int(st, 4, r->cols);
			if ((rc = step_done(db, st, "adding a room")))
				goto cleanup;
		}
		sk_buf_addf(&d, "%s\"room %s\":\"%dx%d\"", d.len > 1 ? "," : "", r->code, r->rows, r->cols);
		if (*outcome == 0)
			*outcome = 2;
	}
	sk_buf_addch(&d, '}');
	if (*outcome > 0) {
		if (sk_buf_failed(&d))
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		else
			rc = sk_audit_append(db, "venue", v->code, *outcome == 1 ? "create" : "update", d.buf);
	}
cleanup:
	sk_buf_release(&d);
	free(old);
	return rc;
}

int sk_venue_save(struct sk_db *db, const struct sk_venue *v, int *outcome, struct sk_report *rep)
{
	*outcome = 0;
	if (check_venue(v, rep, NULL, 0))
		return SK_EINPUT;
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	if ((rc = save_in_tx(db, v, outcome, rep, NULL, 0, NULL)) || *outcome < 0) {
		sk_db_rollback(db);
		return rc ? rc : SK_EINPUT;
	}
	return sk_db_commit(db);
}

enum { V_VENUE, V_NAME, V_COUNTRY, V_CITY, V_ADDRESS, V_ROOM, V_ROWS, V_COLS, NCOLS };
static const struct sk_csv_col columns[] = {
	{ "venue", "会場コード", SK_CSV_REQUIRED }, { "name", "会場名", SK_CSV_REQUIRED },
	{ "country", "国", SK_CSV_REQUIRED },      { "city", "都市", SK_CSV_REQUIRED },
	{ "address", "住所", SK_CSV_REQUIRED },    { "room", "教室", SK_CSV_REQUIRED },
	{ "rows", "行数", SK_CSV_REQUIRED },       { "columns", "列数", SK_CSV_REQUIRED },
};

struct pending_venue {
	struct sk_venue v;
	long line;
	int bad;
	long room_lines[64];     /* the line of each room's row */
	size_t room_records[64]; /* and its record index */
};

/* A seat grid dimension as typed: 1 to 100, digits only. */
static int grid_size(const char *s, int *out)
{
	size_t n = strlen(s);
	if (n < 1 || n > 3 || strspn(s, "0123456789") != n || atoi(s) < 1 || atoi(s) > 100)
		return -1;
	*out = atoi(s);
	return 0;
}

static int has_diag(const struct sk_report *rep, const char *file, long line)
{
	for (size_t i = 0; i < rep->count; i++)
		if (rep->items[i].line == line && rep->items[i].file && !strcmp(rep->items[i].file, file))
			return 1;
	return 0;
}

/* A venue's rows go in together: when one is refused, so are the others.
 * Rows with a reason of their own are rejected always; the others only
 * when the good rows would otherwise go in (skip_invalid), saying why. */
static void reject_venue(const struct pending_venue *p, const struct sk_csv_doc *doc,
			 struct sk_rowset *rs, struct sk_report *rep, int skip_invalid)
{
	for (size_t r = 0; r < p->v.nrooms; r++) {
		if (has_diag(rep, doc->name, p->room_lines[r])) {
			rs->bad[p->room_records[r]] = 1;
		} else if (skip_invalid) {
			rs->bad[p->room_records[r]] = 1;
			sk_report_add(rep, doc->name, p->room_lines[r], "venue",
				      N_("venue '%s' is left out: another of its rows has errors"),
				      p->v.code, NULL, NULL);
		}
	}
}

int sk_venue_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		    struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct pending_venue *pv = NULL;
	size_t nv = 0;
	int col[NCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, columns, NCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (sk_rowset_init(&rs, doc.count) || !(pv = calloc(doc.count, sizeof(*pv)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *f[NCOLS];
		for (int c = 0; c < NCOLS; c++)
			f[c] = sk_csv_field(rec, col[c]);
		struct sk_venue *v = calloc(1, sizeof(*v));
		if (!v) {
			rc = SK_ENOMEM;
			goto cleanup;
		}
		snprintf(v->code, sizeof(v->code), "%s", f[V_VENUE]);
		snprintf(v->name, sizeof(v->name), "%s", f[V_NAME]);
		snprintf(v->country, sizeof(v->country), "%s", f[V_COUNTRY]);
		const struct sk_country *cty = sk_country_find(f[V_COUNTRY]);
		if (cty)
			snprintf(v->country, sizeof(v->country), "%s", cty->alpha2);
		int bad = 0;
		if (!cty) {
			sk_report_add(rep, doc.name, rec->line, "country",
				      N_("'%s' is not an ISO 3166-1 country code"), f[V_COUNTRY], NULL, NULL);
			bad++;
			snprintf(v->country, sizeof(v->country), "JP"); /* keep other checks quiet */
		}
		snprintf(v->city, sizeof(v->city), "%s", f[V_CITY]);
		snprintf(v->address, sizeof(v->address), "%s", f[V_ADDRESS]);
		bad += check_venue(v, rep, doc.name, rec->line);
		struct sk_room room;
		memset(&room, 0, sizeof(room));
		if (!code_ok(f[V_ROOM], 16)) {
			sk_report_add(rep, doc.name, rec->line, "room",
				      N_("'%s' is not a room code (1-16 letters, digits, '-', '_')"), f[V_ROOM], NULL, NULL);
			bad++;
		} else {
			snprintf(room.code, sizeof(room.code), "%s", f[V_ROOM]);
		}
		if (grid_size(f[V_ROWS], &room.rows)) {
			sk_report_add(rep, doc.name, rec->line, "rows",
				      N_("'%s' is not a number of rows from 1 to 100"), f[V_ROWS], NULL, NULL);
			bad++;
		}
		if (grid_size(f[V_COLS], &room.cols)) {
			sk_report_add(rep, doc.name, rec->line, "columns",
				      N_("'%s' is not a number of columns from 1 to 100"), f[V_COLS], NULL, NULL);
			bad++;
		}
		if (bad) {
			free(v);
			rs.bad[i] = 1;
			continue;
		}
		size_t k = 0;
		for (; k < nv; k++)
			if (!strcmp(pv[k].v.code, v->code))
				break;
		if (k == nv) {
			pv[nv].v = *v;
			pv[nv].line = rec->line;
			nv++;
		} else {
			struct sk_venue *p = &pv[k].v;
			char first[24];
			snprintf(first, sizeof(first), "%ld", pv[k].line);
			if (strcmp(p->name, v->name) || strcmp(p->country, v->country) ||
			    strcmp(p->city, v->city) || strcmp(p->address, v->address)) {
				sk_report_add(rep, doc.name, rec->line, "venue",
					      N_("describes venue '%s' differently from line %s"), v->code, first, NULL);
				rs.bad[i] = 1;
				pv[k].bad = 1;
				free(v);
				continue;
			}
		}
		free(v);
		struct sk_venue *p = &pv[k].v;
		int dup = 0;
		for (size_t r = 0; r < p->nrooms; r++)
			if (!strcmp(p->rooms[r].code, room.code))
				dup = 1;
		if (dup || p->nrooms >= 64) {
			sk_report_add(rep, doc.name, rec->line, "room",
				      dup ? N_("room '%s' appears twice for this venue")
					  : N_("a venue has at most 64 rooms"), room.code, NULL, NULL);
			rs.bad[i] = 1;
			pv[k].bad = 1;
			continue;
		}
		pv[k].room_lines[p->nrooms] = rec->line;
		pv[k].room_records[p->nrooms] = i;
		p->rooms[p->nrooms++] = room;
	}
	/* A bad row keeps its whole venue out. */
	for (size_t k = 0; k < nv; k++) {
		for (size_t i = 1; i < doc.count && !pv[k].bad; i++)
			if (rs.bad[i] && !strcmp(sk_csv_field(&doc.records[i], col[V_VENUE]), pv[k].v.code))
				pv[k].bad = 1;
		if (pv[k].bad)
			reject_venue(&pv[k], &doc, &rs, rep, opts->skip_invalid);
	}
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t k = 0; k < nv; k++) {
		if (pv[k].bad)
			continue;
		int outcome = 0;
		if ((rc = save_in_tx(db, &pv[k].v, &outcome, rep, doc.name, pv[k].line, pv[k].room_lines))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			reject_venue(&pv[k], &doc, &rs, rep, opts->skip_invalid);
		else if (outcome == 1)
			stats->added++;
		else if (outcome == 2)
			stats->updated++;
		else
			stats->unchanged++;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	free(pv);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}
