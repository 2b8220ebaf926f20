/* shiken candidate import|list|show|export */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken candidate import|list|show|export ...\n"
	   "\n"
	   "  import FILE.csv   add or update candidates (see README for the columns)\n"
	   "  list              list candidates\n"
	   "  show REFERENCE    show one candidate and their registrations\n"
	   "  export            write all candidates as CSV\n");

static const char usage_import[] =
	N_("usage: shiken candidate import FILE.csv [--encoding utf-8|cp932] [--ignore-unknown]\n"
	   "                               [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Add candidates, or update those whose reference is known. Every bad row is\n"
	   "reported as file:line: column: reason and nothing is changed, unless\n"
	   "--skip-invalid: then good rows are imported and bad ones written, with\n"
	   "their reasons, to FILE.csv.rejects.csv. The encoding (UTF-8 with or without\n"
	   "BOM, or CP932 as Excel saves it) is detected unless given.\n");

static const char usage_list[] =
	N_("usage: shiken candidate list [--nationality CC] [--search TEXT] [--limit N] [--csv | --json]\n"
	   "\n"
	   "List candidates by reference. Passport numbers are masked.\n");

static const char usage_show[] =
	N_("usage: shiken candidate show REFERENCE [--json]\n"
	   "\n"
	   "Show a candidate, their registrations and fee status.\n");

static const char usage_export[] =
	N_("usage: shiken candidate export [--out FILE] [--excel] [--photos DIR]\n"
	   "\n"
	   "Write every candidate as CSV in the import columns plus created_at and\n"
	   "updated_at (passport numbers masked). --excel adds a UTF-8 BOM so Excel\n"
	   "reads Japanese correctly; --photos writes the photos to DIR and names them\n"
	   "in the photo column.\n");

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("candidates"), file, &opts, sk_candidate_import);
}

static json_t *candidate_json(const struct sk_candidate *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "reference", json_string(c->reference));
	json_object_set_new(o, "family_name", json_string(c->family_name));
	json_object_set_new(o, "given_name", json_string(c->given_name ? c->given_name : ""));
	json_object_set_new(o, "native_name", c->native_name ? json_string(c->native_name) : json_null());
	json_object_set_new(o, "date_of_birth", json_string(c->date_of_birth));
	json_object_set_new(o, "gender", json_string(c->gender));
	json_object_set_new(o, "nationality", json_string(c->nationality));
	json_object_set_new(o, "residence_country", json_string(c->residence_country));
	json_object_set_new(o, "residence_region", c->residence_region ? json_string(c->residence_region) : json_null());
	json_object_set_new(o, "passport_number", json_string(c->passport_masked));
	json_object_set_new(o, "email", c->email ? json_string(c->email) : json_null());
	json_object_set_new(o, "phone", c->phone ? json_string(c->phone) : json_null());
	json_object_set_new(o, "language", c->language ? json_string(c->language) : json_null());
	json_object_set_new(o, "mfg_experience_months",
			    c->mfg_experience_months < 0 ? json_null() : json_integer(c->mfg_experience_months));
	json_object_set_new(o, "former_intern",
			    c->former_intern < 0 ? json_null() : json_boolean(c->former_intern));
	json_object_set_new(o, "japanese_level", c->japanese_level ? json_string(c->japanese_level) : json_null());
	json_object_set_new(o, "arrangements", c->arrangements ? json_string(c->arrangements) : json_null());
	json_object_set_new(o, "photo", json_boolean(c->photo_id != 0));
	json_object_set_new(o, "created_at", json_string(c->created_at));
	json_object_set_new(o, "updated_at", json_string(c->updated_at));
	return o;
}

static void full_name(char *out, size_t cap, const struct sk_candidate *c)
{
	if (c->given_name && *c->given_name)
		snprintf(out, cap, "%s %s", c->family_name, c->given_name);
	else
		snprintf(out, cap, "%s", c->family_name);
}

struct list_state {
	enum out_format fmt;
	struct table table;
	json_t *array;
	struct sk_buf csv;
	const char *photo_dir;
	char *photo_rel;    /* photo_dir as seen from the export file's directory */
	struct sk_db *db;
	int reported;       /* an error was already printed */
};

static const char *const export_header[] = {
	"reference", "family_name", "given_name", "native_name", "date_of_birth", "gender",
	"nationality", "residence_country", "residence_region", "passport_number", "email",
	"phone", "language", "mfg_experience_months", "former_intern", "japanese_level",
	"arrangements", "photo", "created_at", "updated_at",
};

/* A photo's file name: the reference, with '/' (allowed in references)
 * spelled %2F so it can neither climb out of DIR nor name a subfolder, and
 * no two references share a name ('%' is not allowed in references). */
static void photo_name(char *out, size_t cap, const char *reference, const char *ext)
{
	size_t n = 0;
	for (const char *p = reference; *p && n + 4 < cap; p++) {
		if (*p == '/') {
			memcpy(out + n, "%2F", 3);
			n += 3;
		} else {
			out[n++] = *p;
		}
	}
	snprintf(out + n, cap - n, ".%s", ext);
}

static int write_photo(struct list_state *ls, const struct sk_candidate *c, char *out, size_t cap)
{
	out[0] = '\0';
	if (!c->photo_id || !ls->photo_dir)
		return 0;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *type = NULL;
	int rc = sk_photo_load(ls->db, c->photo_id, &data, &len, &type);
	if (rc)
		return rc;
	const char *ext = strcmp(type, "image/png") ? "jpg" : "png";
	char name[128], path[4096];
	photo_name(name, sizeof(name), c->reference, ext);
	snprintf(path, sizeof(path), "%s/%s", ls->photo_dir, name);
	/* Photos are personal data, like the export: 0600 whatever the umask
	 * and whoever made DIR. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, data, len) == (ssize_t)len;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	free(data);
	if (!ok) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		ls->reported = 1;
		return SK_EIO;
	}
	if (ls->photo_rel[0])
		snprintf(out, cap, "%s/%s", ls->photo_rel, name);
	else
		snprintf(out, cap, "%s", name);
	return 0;
}

static int list_row(void *payload, const struct sk_candidate *c)
{
	struct list_state *ls = payload;
	char name[256], months[16] = "", photo[4200] = "";
	full_name(name, sizeof(name), c);
	if (ls->fmt == OUT_JSON) {
		json_array_append_new(ls->array, candidate_json(c));
	} else if (ls->fmt == OUT_CSV) {
		if (c->mfg_experience_months >= 0)
			snprintf(months, sizeof(months), "%d", c->mfg_experience_months);
		int rc = write_photo(ls, c, photo, sizeof(photo));
		if (rc)
			return rc;
		const char *row[] = {
			c->reference, c->family_name, c->given_name, c->native_name, c->date_of_birth,
			c->gender, c->nationality, c->residence_country, c->residence_region,
			c->passport_masked, c->email, c->phone, c->language, months,
			c->former_intern < 0 ? "" : c->former_intern ? "yes" : "no",
			c->japanese_level, c->arrangements, photo, c->created_at, c->updated_at,
		};
		sk_csv_put_row(&ls->csv, row, sizeof(row) / sizeof(row[0]));
	} else {
		const char *row[] = { c->reference, name, c->date_of_birth, c->gender, c->nationality,
				      c->residence_country, c->passport_masked };
		table_add(&ls->table, row);
	}
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nationality", required_argument, NULL, 'n' },
		{ "search", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_candidate_filter f = { 0 };
	struct list_state ls = { .fmt = OUT_TABLE, .db = cli->db };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': {
			const struct sk_country *cty = sk_country_find(optarg);
			if (!cty)
				return cli_bad_usage(usage_list, _("'%s' is not an ISO 3166-1 country code"), optarg);
			f.nationality = cty->alpha2;
			break;
		}
		case 's':
			f.search = optarg;
			break;
		case 'l':
			f.limit = strtoll(optarg, NULL, 10);
			if (f.limit <= 0)
				return cli_bad_usage(usage_list, _("'%s' is not a positive number"), optarg);
			break;
		case 'c':
			ls.fmt = OUT_CSV;
			break;
		case 'j':
			ls.fmt = OUT_JSON;
			break;
		case ':':
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	static const char *headers[] = { N_("reference"), N_("name"), N_("born"), N_("sex"),
					 N_("nationality"), N_("residence"), N_("passport") };
	table_init(&ls.table, 7, headers);
	ls.array = json_array();
	if (ls.fmt == OUT_CSV)
		sk_csv_put_row(&ls.csv, export_header, sizeof(export_header) / sizeof(export_header[0]));
	int rc = sk_candidate_foreach(cli->db, &f, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing candidates"));
	else if (ls.fmt == OUT_JSON)
		cli_print_json(json_incref(ls.array));
	else if (ls.fmt == OUT_CSV)
		code = cli_write_output(NULL, ls.csv.buf, ls.csv.len);
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	sk_buf_release(&ls.csv);
	return code;
}

static int reg_row(void *payload, const struct sk_registration *r)
{
	json_t *a = payload;
	json_t *o = json_object();
	json_object_set_new(o, "exam_number", json_string(r->exam_number));
	json_object_set_new(o, "sitting", json_string(r->sitting));
	json_object_set_new(o, "exam_date", json_string(r->exam_date));
	json_object_set_new(o, "test", json_string(r->test));
	json_object_set_new(o, "room", json_string(r->room));
	json_object_set_new(o, "seat", json_string(r->seat));
	json_object_set_new(o, "fee_status", json_string(r->fee_status));
	json_object_set_new(o, "status", json_string(r->status));
	json_array_append_new(a, o);
	return 0;
}

static void line(const char *label, const char *value)
{
	const char *l = _(label);
	printf("%s", l);
	for (size_t w = sk_text_width(l); w < 18; w++)
		putchar(' ');
	printf(" %s\n", value && *value ? value : "-");
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *ref = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_bad_usage(usage_show, _("unknown option '%s'"), argv[i]);
		else if (!ref)
			ref = argv[i];
		else
			return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[i]);
	}
	if (!ref)
		return cli_bad_usage(usage_show, "%s", _("give a candidate reference"));
	struct sk_candidate c;
	int rc = sk_candidate_get(cli->db, ref, &c);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	json_t *regs = json_array();
	struct sk_registration_filter f = { .reference = c.reference, .include_cancelled = 1 };
	rc = sk_registration_foreach(cli->db, &f, reg_row, regs);
	if (rc) {
		json_decref(regs);
		sk_candidate_release(&c);
		return cli_db_error(cli, rc, _("registrations"));
	}
	if (json) {
		json_t *o = candidate_json(&c);
		json_object_set_new(o, "registrations", regs);
		cli_print_json(o);
		sk_candidate_release(&c);
		return EXIT_OK;
	}
	char buf[512];
	line(N_("reference"), c.reference);
	full_name(buf, sizeof(buf), &c);
	line(N_("name (passport)"), buf);
	line(N_("name (native)"), c.native_name);
	line(N_("date of birth"), c.date_of_birth);
	line(N_("sex"), c.gender);
	const struct sk_country *n = sk_country_find(c.nationality);
	snprintf(buf, sizeof(buf), "%s (%s)", c.nationality,
		 n ? (!strcmp(sk_i18n_current(), "ja") ? n->name_ja : n->name_en) : "?");
	line(N_("nationality"), buf);
	const struct sk_country *r = sk_country_find(c.residence_country);
	snprintf(buf, sizeof(buf), "%s (%s)%s%s", c.residence_country,
		 r ? (!strcmp(sk_i18n_current(), "ja") ? r->name_ja : r->name_en) : "?",
		 c.residence_region ? ", " : "", c.residence_region ? c.residence_region : "");
	line(N_("residence"), buf);
	line(N_("passport"), c.passport_masked);
	line(N_("email"), c.email);
	line(N_("phone"), c.phone);
	line(N_("language"), c.language);
	if (c.mfg_experience_months >= 0)
		snprintf(buf, sizeof(buf), _("%d months"), c.mfg_experience_months);
	else
		buf[0] = '\0';
	line(N_("manufacturing work"), buf);
	line(N_("former intern"), c.former_intern < 0 ? "" : c.former_intern ? _("yes") : _("no"));
	line(N_("Japanese level"), c.japanese_level);
	line(N_("arrangements"), c.arrangements);
	line(N_("photo"), c.photo_id ? _("on file") : _("none"));
	line(N_("updated"), c.updated_at);
	size_t nregs = json_array_size(regs);
	printf("\n%s\n", nregs ? _("registrations:") : _("no registrations"));
	for (size_t i = 0; i < nregs; i++) {
		json_t *o = json_array_get(regs, i);
		printf("  %s  %s  %s  %s  %s %s  %s %s  %s\n",
		       json_string_value(json_object_get(o, "exam_number")),
		       json_string_value(json_object_get(o, "sitting")),
		       json_string_value(json_object_get(o, "exam_date")),
		       json_string_value(json_object_get(o, "test")), _("room"),
		       json_string_value(json_object_get(o, "room")), _("seat"),
		       json_string_value(json_object_get(o, "seat")),
		       _(json_string_value(json_object_get(o, "fee_status"))));
	}
	json_decref(regs);
	sk_candidate_release(&c);
	return EXIT_OK;
}

/* The path of directory `to` seen from directory `from`, both absolute and
 * canonical: "" when the same, "photos", "../photos". Caller frees. */
static char *relative_path(const char *from, const char *to)
{
	/* the longest common prefix that ends at a component boundary */
	size_t common = 0;
	for (size_t i = 0;; i++) {
		int end_f = from[i] == '\0' || from[i] == '/';
		int end_t = to[i] == '\0' || to[i] == '/';
		if (end_f && end_t)
			common = i;
		if (from[i] != to[i] || !from[i])
			break;
	}
	struct sk_buf b = SK_BUF_INIT;
	for (const char *p = from + common; *p; p++)
		if (*p == '/' && p[1])
			sk_buf_adds(&b, b.len ? "/.." : "..");
	const char *rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		if (b.len)
			sk_buf_addch(&b, '/');
		sk_buf_adds(&b, rest);
	}
	if (sk_buf_failed(&b)) {
		sk_buf_release(&b);
		return NULL;
	}
	return sk_buf_detach(&b, NULL);
}

static int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "excel", no_argument, NULL, 'x' },
		{ "photos", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	int excel = 0;
	struct list_state ls = { .fmt = OUT_CSV, .db = cli->db };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'x':
			excel = 1;
			break;
		case 'p':
			ls.photo_dir = optarg;
			break;
		case ':':
			return cli_bad_usage(usage_export, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_export, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_export, _("unexpected argument '%s'"), argv[optind]);
	if (ls.photo_dir && mkdir(ls.photo_dir, 0700) != 0 && errno != EEXIST) {
		cli_error(_("cannot create '%s': %s"), ls.photo_dir, strerror(errno));
		return EXIT_FAIL;
	}
	if (ls.photo_dir) {
		/* The photo column names each photo relative to the export
		 * file, so the export and its photos can be imported again. */
		char *dir = out && strcmp(out, "-") ? sk_path_dirname(out) : strdup(".");
		char *from = dir ? realpath(dir, NULL) : NULL;
		char *to = realpath(ls.photo_dir, NULL);
		ls.photo_rel = from && to ? relative_path(from, to) : strdup(ls.photo_dir);
		free(dir);
		free(from);
		free(to);
		if (!ls.photo_rel) {
			cli_error("%s", _("out of memory"));
			return EXIT_FAIL;
		}
	}
	if (excel)
		sk_buf_adds(&ls.csv, "\xEF\xBB\xBF");
	sk_csv_put_row(&ls.csv, export_header, sizeof(export_header) / sizeof(export_header[0]));
	int rc = sk_candidate_foreach(cli->db, NULL, list_row, &ls);
	int code;
	if (rc && ls.reported)
		code = EXIT_FAIL;
	else if (rc)
		code = cli_db_error(cli, rc, _("exporting candidates"));
	else
		code = cli_write_output(out, ls.csv.buf, ls.csv.len);
	sk_buf_release(&ls.csv);
	free(ls.photo_rel);
	return code;
}

const struct subcmd candidate_subs[] = {
	{ "import", cmd_import, usage_import },
	{ "list", cmd_list, usage_list },
	{ "show", cmd_show, usage_show },
	{ "export", cmd_export, usage_export },
	{ NULL, NULL, NULL },
};

int cmd_candidate(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, candidate_subs, usage, argc, argv);
}
