/* Fee records and fee status; see fee.h. */
#include "core/fee.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/refdata.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_totals[] =
	"SELECT s.fee_amount, r.fee_status, r.exam_number,"
	" coalesce(sum(CASE WHEN p.kind = 'payment' THEN p.amount END), 0),"
	" coalesce(sum(CASE WHEN p.kind = 'refund' THEN p.amount END), 0),"
	" count(CASE WHEN p.kind = 'waiver' THEN 1 END)"
	" FROM registration r JOIN sitting s ON s.id = r.sitting_id"
	" LEFT JOIN payment p ON p.registration_id = r.id WHERE r.id = ?1 GROUP BY r.id";
static const char sql_set_status[] = "UPDATE registration SET fee_status = ?2 WHERE id = ?1";

int sk_fee_refresh(struct sk_db *db, int64_t registration_id, char out_status[12], int *changed)
{
	if (changed)
		*changed = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql_totals);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, registration_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return sk_db_fail(db, SK_ENOTFOUND, "no registration with id %lld", (long long)registration_id);
	}
	int64_t fee = sqlite3_column_int64(st, 0);
	char old[12], examno[16];
	snprintf(old, sizeof(old), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(examno, sizeof(examno), "%s", (const char *)sqlite3_column_text(st, 2));
	int64_t paid = sqlite3_column_int64(st, 3), refunded = sqlite3_column_int64(st, 4);
	int waivers = sqlite3_column_int(st, 5);
	sqlite3_reset(st);
	const char *status;
	if (waivers || fee == 0)
		status = "waived";
	else if (paid - refunded >= fee)
		status = "paid";
	else if (refunded > 0)
		status = "refunded";
	else
		status = "unpaid";
	if (out_status)
		snprintf(out_status, 12, "%s", status);
	if (!strcmp(old, status))
		return 0;
	st = sk_db_stmt(db, sql_set_status);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, registration_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "updating a fee status");
	sqlite3_reset(st);
	if (rc)
		return rc;
	if (changed)
		*changed = 1;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"fee_status\":[\"%s\",\"%s\"]}", old, status);
	return sk_audit_append(db, "registration", examno, "fee", detail);
}

enum { F_EXAMNO, F_REFERENCE, F_SITTING, F_AMOUNT, F_CURRENCY, F_PAID_AT, F_METHOD, F_RECEIPT,
       F_KIND, NCOLS };
static const struct sk_csv_col columns[] = {
	{ "exam_number", "受験番号", 0 },  { "reference", "申込番号", 0 },
	{ "sitting", "試験回", 0 },       { "amount", "金額", SK_CSV_REQUIRED },
	{ "currency", "通貨", SK_CSV_REQUIRED }, { "paid_at", "入金日", SK_CSV_REQUIRED },
	{ "method", "支払方法", SK_CSV_REQUIRED }, { "receipt", "領収番号", SK_CSV_REQUIRED },
	{ "kind", "種別", 0 },
};

static const char *const methods[] = { "cash", "bank_transfer", "card", "online",
				       "convenience_store", "voucher", "other", NULL };

static const char sql_reg_by_examno[] =
	"SELECT r.id, r.exam_number, s.fee_currency, r.status FROM registration r"
	" JOIN sitting s ON s.id = r.sitting_id WHERE r.exam_number = ?1";
static const char sql_reg_by_reference[] =
	"SELECT r.id, r.exam_number, s.fee_currency, r.status FROM registration r"
	" JOIN sitting s ON s.id = r.sitting_id JOIN candidate c ON c.id = r.candidate_id"
	" WHERE c.reference = ?1 AND (?2 IS NULL OR s.code = ?2) AND r.status = 'registered'";
static const char sql_receipt[] =
	"SELECT registration_id, kind, amount, currency, paid_at, method FROM payment WHERE receipt = ?1";
static const char sql_insert[] =
	"INSERT INTO payment (registration_id, kind, amount, currency, paid_at, method, receipt, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_net[] =
	"SELECT coalesce(sum(CASE kind WHEN 'payment' THEN amount WHEN 'refund' THEN -amount END), 0)"
	" FROM payment WHERE registration_id = ?1";

#define ROW_ERR(field, fmt, a0, a1) \
	(sk_report_add(rep, doc.name, rec->line, (field), (fmt), (a0), (a1), NULL), bad = 1)

int sk_fee_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		  struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	int col[NCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, columns, NCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (col[F_EXAMNO] < 0 && col[F_REFERENCE] < 0) {
		sk_report_add(rep, doc.name, doc.records[0].line, "exam_number",
			      N_("needs an exam_number or a reference column"), NULL, NULL, NULL);
		rc = SK_EINPUT;
		goto cleanup;
	}
	if (sk_rowset_init(&rs, doc.count)) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	char now[21];
	sk_db_now(db, now);
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		int bad = 0;
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *f[NCOLS];
		for (int k = 0; k < NCOLS; k++)
			f[k] = sk_csv_field(rec, col[k]);

		const char *kind = *f[F_KIND] ? f[F_KIND] : "payment";
		if (strcmp(kind, "payment") && strcmp(kind, "refund") && strcmp(kind, "waiver"))
			ROW_ERR("kind", N_("'%s' is not payment, refund or waiver"), kind, NULL);
		char currency[4] = "";
		if (strlen(f[F_CURRENCY]) == 3) {
			memcpy(currency, f[F_CURRENCY], 4);
			sk_ascii_upper(currency);
		}
		int64_t amount = 0;
		if (sk_currency_exponent(currency) < 0)
			ROW_ERR("currency", N_("'%s' is not an ISO 4217 currency code"), f[F_CURRENCY], NULL);
		else if (!*f[F_AMOUNT] && !strcmp(kind, "waiver"))
			amount = 0;
		else if (sk_money_parse(&amount, f[F_AMOUNT], currency))
			ROW_ERR("amount", N_("'%s' is not an amount in %s"), f[F_AMOUNT], currency);
		else if (amount == 0 && strcmp(kind, "waiver"))
			ROW_ERR("amount", N_("a %s of zero records nothing"), kind, NULL);
		char paid_at[20];
		if (sk_datetime_parse(paid_at, f[F_PAID_AT]))
			ROW_ERR("paid_at", N_("'%s' is not a date or date and time (YYYY-MM-DD HH:MM)"), f[F_PAID_AT], NULL);
		else if (strncmp(paid_at, now, 10) > 0)
			ROW_ERR("paid_at", N_("'%s' is in the future"), f[F_PAID_AT], NULL);
		int method_ok = 0;
		for (size_t m = 0; methods[m]; m++)
			if (!strcmp(f[F_METHOD], methods[m]))
				method_ok = 1;
		if (!method_ok)
			ROW_ERR("method", N_("'%s' is not one of cash, bank_transfer, card, online, convenience_store, voucher, other"),
				f[F_METHOD], NULL);
		size_t rl = strlen(f[F_RECEIPT]);
		if (!rl || rl > 40 ||
		    strspn(f[F_RECEIPT], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./#") != rl)
			ROW_ERR("receipt", N_("'%s' is not a receipt number (1-40 letters, digits, '-', '_', '.', '/', '#')"),
				f[F_RECEIPT], NULL);

		/* Which registration. */
		int64_t reg_id = 0;
		char examno[16] = "", reg_currency[8] = "";
		if (*f[F_EXAMNO]) {
			char canon[SK_EXAMNO_LEN + 1];
			int p = sk_examno_parse(canon, f[F_EXAMNO], NULL, NULL);
			if (p == SK_EINPUT)
				ROW_ERR("exam_number", N_("'%s' is not an exam number (like 0001-00042-6)"), f[F_EXAMNO], NULL);
			else if (p)
				ROW_ERR("exam_number", N_("'%s' has a wrong check digit (mistyped?)"), f[F_EXAMNO], NULL);
			else {
				sqlite3_stmt *st = sk_db_stmt(db, sql_reg_by_examno);
				if (!st) {
					rc = db->err;
					sk_db_rollback(db);
					goto cleanup;
				}
				sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
				if (sqlite3_step(st) == SQLITE_ROW) {
					reg_id = sqlite3_column_int64(st, 0);
					snprintf(examno, sizeof(examno), "%s", (const char *)sqlite3_column_text(st, 1));
					snprintf(reg_currency, sizeof(reg_currency), "%s", (const char *)sqlite3_column_text(st, 2));
				} else {
					ROW_ERR("exam_number", N_("no registration with exam number %s"), canon, NULL);
				}
				sqlite3_reset(st);
			}
		} else if (*f[F_REFERENCE]) {
			sqlite3_stmt *st = sk_db_stmt(db, sql_reg_by_reference);
			if (!st) {
				rc = db->err;
				sk_db_rollback(db);
				goto cleanup;
			}
			sqlite3_bind_text(st, 1, f[F_REFERENCE], -1, SQLITE_STATIC);
			sk_bind_text_or_null(st, 2, f[F_SITTING]);
			int found = 0;
			while (sqlite3_step(st) == SQLITE_ROW) {
				found++;
				reg_id = sqlite3_column_int64(st, 0);
				snprintf(examno, sizeof(examno), "%s", (const char *)sqlite3_column_text(st, 1));
				snprintf(reg_currency, sizeof(reg_currency), "%s", (const char *)sqlite3_column_text(st, 2));
			}
			sqlite3_reset(st);
			if (found == 0) {
				ROW_ERR("reference", *f[F_SITTING]
					? N_("candidate '%s' has no registration in sitting '%s'")
					: N_("candidate '%s' has no registration"), f[F_REFERENCE], f[F_SITTING]);
				reg_id = 0;
			} else if (found > 1) {
				ROW_ERR("reference", N_("candidate '%s' has several registrations; give the exam_number or the sitting"),
					f[F_REFERENCE], NULL);
				reg_id = 0;
			}
		} else {
			ROW_ERR("exam_number", N_("give an exam number or a reference"), NULL, NULL);
		}
		if (reg_id && currency[0] && strcmp(currency, reg_currency))
			ROW_ERR("currency", N_("'%s' differs from the sitting's fee currency %s"), currency, reg_currency);
		if (bad) {
			rs.bad[i] = 1;
			continue;
		}

		/* Same receipt again? */
		sqlite3_stmt *st = sk_db_stmt(db, sql_receipt);
		if (!st) {
			rc = db->err;
			sk_db_rollback(db);
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, f[F_RECEIPT], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			int same = sqlite3_column_int64(st, 0) == reg_id &&
				   !strcmp((const char *)sqlite3_column_text(st, 1), kind) &&
				   sqlite3_column_int64(st, 2) == amount &&
				   !strcmp((const char *)sqlite3_column_text(st, 3), currency) &&
				   !strcmp((const char *)sqlite3_column_text(st, 4), paid_at) &&
				   !strcmp((const char *)sqlite3_column_text(st, 5), f[F_METHOD]);
			sqlite3_reset(st);
			if (same) {
				stats->unchanged++;
			} else {
				ROW_ERR("receipt", N_("receipt '%s' is already recorded with different details"),
					f[F_RECEIPT], NULL);
				rs.bad[i] = 1;
			}
			continue;
		}
		sqlite3_reset(st);
		if (!strcmp(kind, "refund")) {
			st = sk_db_stmt(db, sql_net);
			if (!st) {
				rc = db->err;
				sk_db_rollback(db);
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, reg_id);
			int64_t net = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
			sqlite3_reset(st);
			if (amount > net) {
				char a[40], b[40];
				sk_money_format(a, amount, currency);
				sk_money_format(b, net, currency);
				ROW_ERR("amount", N_("refund of %s is more than the %s paid"), a, b);
				rs.bad[i] = 1;
				continue;
			}
		}
		st = sk_db_stmt(db, sql_insert);
		if (!st) {
			rc = db->err;
			sk_db_rollback(db);
			goto cleanup;
		}
		sqlite3_bind_int64(st, 1, reg_id);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, amount);
		sqlite3_bind_text(st, 4, currency, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, paid_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, f[F_METHOD], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, f[F_RECEIPT], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "recording a fee");
			sqlite3_reset(st);
			sk_db_rollback(db);
			goto cleanup;
		}
		sqlite3_reset(st);
		char amt[40], detail[256];
		sk_money_format(amt, amount, currency);
		struct sk_buf d = SK_BUF_INIT;
		sk_buf_addf(&d, "{\"exam_number\":\"%s\",\"kind\":\"%s\",\"amount\":\"%s %s\",\"paid_at\":\"%s\",\"method\":\"%s\"}",
			    examno, kind, amt, currency, paid_at, f[F_METHOD]);
		snprintf(detail, sizeof(detail), "%s", d.buf);
		sk_buf_release(&d);
		if ((rc = sk_audit_append(db, "payment", f[F_RECEIPT], "create", detail)) ||
		    (rc = sk_fee_refresh(db, reg_id, NULL, NULL))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		stats->added++;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

int sk_fee_foreach(struct sk_db *db, const char *exam_number, const char *sitting,
		   int (*cb)(void *payload, const struct sk_payment *p), void *payload)
{
	static const char sql[] =
		"SELECT p.id, r.exam_number, c.reference, p.kind, p.amount, p.currency, p.paid_at,"
		" p.method, p.receipt, p.created_at FROM payment p"
		" JOIN registration r ON r.id = p.registration_id"
		" JOIN candidate c ON c.id = r.candidate_id JOIN sitting s ON s.id = r.sitting_id"
		" WHERE (?1 IS NULL OR r.exam_number = ?1) AND (?2 IS NULL OR s.code = ?2)"
		" ORDER BY p.paid_at, p.id";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing fees");
	char canon[SK_EXAMNO_LEN + 1];
	if (exam_number) {
		int p = sk_examno_parse(canon, exam_number, NULL, NULL);
		if (p) {
			sqlite3_finalize(st);
			return p == SK_EVERIFY
				       ? sk_db_fail(db, SK_EINPUT, "'%s' has a wrong check digit (mistyped?)", exam_number)
				       : sk_db_fail(db, SK_EINPUT, "'%s' is not an exam number (like 0001-00042-6)", exam_number);
		}
		sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	}
	if (sitting)
		sqlite3_bind_text(st, 2, sitting, -1, SQLITE_STATIC);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_payment p;
		memset(&p, 0, sizeof(p));
		p.id = sqlite3_column_int64(st, 0);
		snprintf(p.exam_number, sizeof(p.exam_number), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(p.reference, sizeof(p.reference), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(p.kind, sizeof(p.kind), "%s", (const char *)sqlite3_column_text(st, 3));
		p.amount = sqlite3_column_int64(st, 4);
		snprintf(p.currency, sizeof(p.currency), "%s", (const char *)sqlite3_column_text(st, 5));
		snprintf(p.paid_at, sizeof(p.paid_at), "%s", (const char *)sqlite3_column_text(st, 6));
		snprintf(p.method, sizeof(p.method), "%s", (const char *)sqlite3_column_text(st, 7));
		snprintf(p.receipt, sizeof(p.receipt), "%s", (const char *)sqlite3_column_text(st, 8));
		snprintf(p.created_at, sizeof(p.created_at), "%s", (const char *)sqlite3_column_text(st, 9));
		if ((rc = cb(payload, &p)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing fees");
	sqlite3_finalize(st);
	return rc;
}
