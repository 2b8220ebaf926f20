/*
 * Synthetic candidates: the same seed and index give the same person, a
 * different seed a different one; references and passport numbers never
 * repeat; every field is valid for import; the population has roughly the
 * intended mix; portraits are real PNGs; the CSV writer produces the import
 * format with photos beside it.
 */
#include "core/csv.h"
#include "core/date.h"
#include "core/error.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/report.h"
#include "core/synth.h"
#include "core/text.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define YEAR 2026
#define POPULATION 20000

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(synth, .init = setup);

static int same_candidate(const struct sk_synth_candidate *a, const struct sk_synth_candidate *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

Test(synth, deterministic)
{
	for (size_t i = 0; i < 200; i++) {
		struct sk_synth_candidate a, b;
		sk_synth_candidate(&a, 42, i, YEAR);
		sk_synth_candidate(&b, 42, i, YEAR);
		cr_assert(same_candidate(&a, &b), "index %zu differs between calls", i);
	}
	/* Order does not matter: index 7 alone equals index 7 after others. */
	struct sk_synth_candidate a, b;
	sk_synth_candidate(&a, 42, 7, YEAR);
	sk_synth_candidate(&b, 42, 1000, YEAR);
	sk_synth_candidate(&b, 42, 7, YEAR);
	cr_assert(same_candidate(&a, &b));
}

Test(synth, seeds_differ)
{
	int same_passport = 0, same_person = 0;
	for (size_t i = 0; i < 500; i++) {
		struct sk_synth_candidate a, b;
		sk_synth_candidate(&a, 1, i, YEAR);
		sk_synth_candidate(&b, 2, i, YEAR);
		cr_assert_str_eq(a.reference, b.reference);
		same_passport += strcmp(a.passport_number, b.passport_number) == 0;
		same_person += strcmp(a.family_name, b.family_name) == 0 &&
			       strcmp(a.given_name, b.given_name) == 0 &&
			       strcmp(a.date_of_birth, b.date_of_birth) == 0;
	}
	cr_assert_leq(same_passport, 1);
	cr_assert_leq(same_person, 1);
}

Test(synth, indexes_differ)
{
	struct sk_synth_candidate a, b;
	sk_synth_candidate(&a, 42, 0, YEAR);
	sk_synth_candidate(&b, 42, 1, YEAR);
	cr_assert_str_eq(a.reference, "A2026-000001");
	cr_assert_str_eq(b.reference, "A2026-000002");
	cr_assert_str_neq(a.passport_number, b.passport_number);
	cr_assert_str_neq(a.email, b.email);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void assert_unique(char **v, size_t n, const char *what)
{
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 1; i < n; i++)
		cr_assert_str_neq(v[i - 1], v[i], "%s '%s' repeats", what, v[i]);
}

Test(synth, references_and_passports_unique)
{
	struct sk_synth_candidate *all = calloc(POPULATION, sizeof(*all));
	char **refs = calloc(POPULATION, sizeof(char *));
	char **passports = calloc(POPULATION, sizeof(char *));
	cr_assert(all && refs && passports);
	for (size_t i = 0; i < POPULATION; i++) {
		sk_synth_candidate(&all[i], 99, i, YEAR);
		refs[i] = all[i].reference;
		passports[i] = all[i].passport_number;
	}
	assert_unique(refs, POPULATION, "reference");
	assert_unique(passports, POPULATION, "passport number");
	free(passports);
	free(refs);
	free(all);
}

/* Passports are unique across indexes far apart too (the serial is a
 * permutation of the index, not a draw). */
Test(synth, passports_unique_across_distant_indexes)
{
	enum { N = 4000 };
	char **passports = calloc(N, sizeof(char *));
	cr_assert_not_null(passports);
	for (size_t i = 0; i < N; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 5, i * 2477 + 13, YEAR);
		passports[i] = strdup(c.passport_number);
		cr_assert_not_null(passports[i]);
	}
	assert_unique(passports, N, "passport number");
	for (size_t i = 0; i < N; i++)
		free(passports[i]);
	free(passports);
}

static const char *const nationalities[] = {
	"VN", "ID", "PH", "MM", "NP", "KH", "TH", "LK", "BD", "MN", "UZ", "CN", "IN", "LA",
};
static const char *const languages[] = { "vi", "id", "fil", "my", "ne", "km", "th", "en", "ja" };
static const char *const levels[] = { "N1", "N2", "N3", "N4", "N5", "JFT-A2", "none" };

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define IN_LIST(s, a) in_list(s, a, sizeof(a) / sizeof((a)[0]))

static int all_of(const char *s, const char *set)
{
	return s[0] && s[strspn(s, set)] == '\0';
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"

static int matches(const char *s, const char *pattern)
{
	/* 'L' an uppercase letter, 'D' a digit, anything else itself. */
	for (; *pattern; pattern++, s++) {
		if (!*s)
			return 0;
		if (*pattern == 'L' ? !(*s >= 'A' && *s <= 'Z')
		    : *pattern == 'D' ? !(*s >= '0' && *s <= '9') : *s != *pattern)
			return 0;
	}
	return *s == '\0';
}

static void check_passport(const struct sk_synth_candidate *c)
{
	const char *p = c->passport_number, *n = c->nationality;
	cr_assert(all_of(p, UPPER DIGIT), "%s: passport '%s'", c->reference, p);
	int ok;
	if (!strcmp(n, "VN") || !strcmp(n, "ID"))
		ok = matches(p, "LDDDDDDD");
	else if (!strcmp(n, "PH"))
		ok = matches(p, "PDDDDDDDL");
	else if (!strcmp(n, "MM"))
		ok = matches(p, "MLDDDDDD");
	else if (!strcmp(n, "NP"))
		ok = matches(p, "PADDDDDDD");
	else if (!strcmp(n, "KH"))
		ok = matches(p, "NDDDDDDDD");
	else if (!strcmp(n, "TH"))
		ok = matches(p, "LLDDDDDDD");
	else
		ok = matches(p, "LDDDDDDD") || matches(p, "LLDDDDDDD");
	cr_assert(ok, "%s: passport '%s' does not fit %s", c->reference, p, n);
}

static void check_text(const char *ref, const char *field, const char *s)
{
	cr_assert_eq(sk_utf8_invalid_at(s, strlen(s)), -1, "%s: %s not UTF-8", ref, field);
	char *nfc = NULL;
	cr_assert_eq(sk_text_nfc(&nfc, s), 0);
	cr_assert_str_eq(nfc, s, "%s: %s not NFC", ref, field);
	free(nfc);
	cr_assert(s[0] != ' ' && (!s[0] || s[strlen(s) - 1] != ' '), "%s: %s padded", ref, field);
}

static void check_candidate(const struct sk_synth_candidate *c)
{
	const char *ref = c->reference;
	struct sk_date dob, first = { YEAR, 1, 1 }, last = { YEAR, 12, 31 };

	cr_assert(matches(ref, "A2026-DDDDDD"), "reference '%s'", ref);
	cr_assert(IN_LIST(c->nationality, nationalities), "%s: nationality %s", ref,
		  c->nationality);
	cr_assert_not_null(sk_country_find(c->nationality));
	cr_assert(!strcmp(c->gender, "M") || !strcmp(c->gender, "F"));

	cr_assert_eq(sk_date_parse(&dob, c->date_of_birth), 0, "%s: date '%s'", ref,
		     c->date_of_birth);
	char again[11];
	cr_assert_str_eq(sk_date_format(again, &dob), c->date_of_birth);
	cr_assert_geq(sk_date_age(&dob, &first), 18, "%s: born %s", ref, c->date_of_birth);
	cr_assert_leq(sk_date_age(&dob, &last), 40, "%s: born %s", ref, c->date_of_birth);

	cr_assert_neq(c->family_name[0], '\0', "%s: no family name", ref);
	check_text(ref, "family_name", c->family_name);
	check_text(ref, "given_name", c->given_name);
	check_text(ref, "native_name", c->native_name);
	check_text(ref, "residence_region", c->residence_region);
	/* Passport names are upper case: no ASCII lower-case letter. */
	cr_assert(!strpbrk(c->family_name, "abcdefghijklmnopqrstuvwxyz"), "%s", ref);
	cr_assert(!strpbrk(c->given_name, "abcdefghijklmnopqrstuvwxyz"), "%s", ref);

	if (!strcmp(c->nationality, "MM")) {
		cr_assert_str_empty(c->given_name, "%s: Myanmar names have no given part", ref);
		cr_assert_str_not_empty(c->native_name);
	}
	if (!strcmp(c->nationality, "VN") || !strcmp(c->nationality, "ID") ||
	    !strcmp(c->nationality, "PH"))
		cr_assert_str_empty(c->native_name);
	if (!strcmp(c->nationality, "TH") || !strcmp(c->nationality, "KH") ||
	    !strcmp(c->nationality, "NP"))
		cr_assert_str_not_empty(c->native_name);
	if (strcmp(c->nationality, "ID") && strcmp(c->nationality, "MM"))
		cr_assert_str_not_empty(c->given_name, "%s: given name", ref);

	cr_assert(!strcmp(c->residence_country, c->nationality) ||
		  !strcmp(c->residence_country, "JP"), "%s", ref);
	cr_assert_str_not_empty(c->residence_region);
	check_passport(c);

	const char *at = strchr(c->email, '@');
	cr_assert_not_null(at, "%s: email '%s'", ref, c->email);
	cr_assert(!strcmp(at, "@example.com") || !strcmp(at, "@example.net") ||
		  !strcmp(at, "@example.org"), "%s: email '%s'", ref, c->email);
	cr_assert_gt(at - c->email, 2);
	for (const char *p = c->email; p < at; p++)
		cr_assert((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.',
			  "%s: email '%s'", ref, c->email);

	cr_assert(all_of(c->phone, "+0123456789 -"), "%s: phone '%s'", ref, c->phone);
	cr_assert_eq(c->phone[0], '+');
	if (!strcmp(c->residence_country, "JP"))
		cr_assert(matches(c->phone, "+81 D0-DDDD-DDDD"), "%s: phone '%s'", ref, c->phone);
	if (!strcmp(c->residence_country, "VN"))
		cr_assert(matches(c->phone, "+84 DD DDD DDDD"), "%s: phone '%s'", ref, c->phone);

	cr_assert(IN_LIST(c->language, languages), "%s: language %s", ref, c->language);
	cr_assert(sk_language_tag_ok(c->language));
	cr_assert(IN_LIST(c->japanese_level, levels), "%s: level %s", ref, c->japanese_level);
	cr_assert(c->former_intern == 0 || c->former_intern == 1);
	cr_assert(c->mfg_experience_months >= 0 && c->mfg_experience_months <= 240);
	if (c->former_intern)
		cr_assert_geq(c->mfg_experience_months, 24, "%s", ref);
	/* Nobody worked before 18. */
	cr_assert_leq(c->mfg_experience_months, (YEAR - dob.year - 18) * 12, "%s", ref);
	check_text(ref, "arrangements", c->arrangements);
}

Test(synth, fields_valid)
{
	for (size_t i = 0; i < POPULATION; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 2026, i, YEAR);
		check_candidate(&c);
	}
}

static int has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* The mix is what the header promises, within a few points; the data is
 * deterministic, so these bounds never flicker. */
Test(synth, population_mix)
{
	static const char *const minor[] = { "LK", "BD", "MN", "UZ", "CN", "IN", "LA" };
	size_t vn = 0, id = 0, ph = 0, mm = 0, other = 0, female = 0, japan = 0, interns = 0;
	size_t interns_in_japan = 0, vn_marked = 0, id_single = 0, arranged = 0, twenties = 0;
	size_t english = 0;
	for (size_t i = 0; i < POPULATION; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 7, i, YEAR);
		vn += !strcmp(c.nationality, "VN");
		id += !strcmp(c.nationality, "ID");
		ph += !strcmp(c.nationality, "PH");
		mm += !strcmp(c.nationality, "MM");
		other += IN_LIST(c.nationality, minor);
		female += c.gender[0] == 'F';
		int jp = !strcmp(c.residence_country, "JP");
		japan += jp;
		interns += c.former_intern;
		interns_in_japan += jp && c.former_intern;
		if (!strcmp(c.nationality, "VN"))
			vn_marked += has_non_ascii(c.family_name) || has_non_ascii(c.given_name);
		if (!strcmp(c.nationality, "ID"))
			id_single += c.given_name[0] == '\0';
		arranged += c.arrangements[0] != '\0';
		english += !strcmp(c.language, "en");
		twenties += YEAR - atoi(c.date_of_birth) >= 21 && YEAR - atoi(c.date_of_birth) <= 31;
	}
	const double n = POPULATION;
	cr_assert(vn / n > 0.42 && vn / n < 0.48, "VN %zu", vn);
	cr_assert(id / n > 0.13 && id / n < 0.17, "ID %zu", id);
	cr_assert(ph / n > 0.08 && ph / n < 0.12, "PH %zu", ph);
	cr_assert(mm / n > 0.07 && mm / n < 0.11, "MM %zu", mm);
	cr_assert(other / n > 0.04 && other / n < 0.10, "others %zu", other);
	cr_assert(female / n > 0.22 && female / n < 0.28, "F %zu", female);
	cr_assert(japan / n > 0.27 && japan / n < 0.33, "JP %zu", japan);
	cr_assert_gt(interns_in_japan, japan * 7 / 10, "interns in Japan %zu", interns_in_japan);
	cr_assert_lt(interns - interns_in_japan, (POPULATION - japan) / 10);
	cr_assert((double)vn_marked / (double)vn > 0.25 && (double)vn_marked / (double)vn < 0.35,
		  "VN with diacritics %zu of %zu", vn_marked, vn);
	cr_assert((double)id_single / (double)id > 0.11 && (double)id_single / (double)id < 0.19,
		  "ID single names %zu of %zu", id_single, id);
	cr_assert(arranged / n > 0.02 && arranged / n < 0.04, "arrangements %zu", arranged);
	cr_assert(twenties / n > 0.65, "twenties %zu", twenties);
	cr_assert(english > 0);
}

Test(synth, photo_is_a_valid_png)
{
	unsigned char *a = NULL, *b = NULL, *c = NULL;
	size_t a_len, b_len, c_len;
	struct sk_photo_info info;
	const char *reason;
	char detail[96];

	cr_assert_eq(sk_synth_photo_png(&a, &a_len, 42, 3), 0);
	cr_assert_eq(sk_photo_check(&info, a, a_len, &reason, detail), 0, "%s", detail);
	cr_assert_str_eq(info.media_type, "image/png");
	cr_assert_eq(info.width, 300);
	cr_assert_eq(info.height, 400);
	/* Deterministic, and different per index. */
	cr_assert_eq(sk_synth_photo_png(&b, &b_len, 42, 3), 0);
	cr_assert_eq(a_len, b_len);
	cr_assert_arr_eq(a, b, a_len);
	cr_assert_eq(sk_synth_photo_png(&c, &c_len, 42, 4), 0);
	cr_assert(a_len != c_len || memcmp(a, c, a_len) != 0);
	free(a);
	free(b);
	free(c);
}

Test(synth, photos_vary)
{
	/* Twenty portraits, twenty different files. */
	unsigned char hashes[20][32];
	for (size_t i = 0; i < 20; i++) {
		unsigned char *png = NULL;
		size_t len;
		cr_assert_eq(sk_synth_photo_png(&png, &len, 1, i), 0);
		crypto_hash_sha256(hashes[i], png, len);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(memcmp(hashes[i], hashes[j], 32), 0);
		free(png);
	}
}

/* ---- the CSV writer ---- */

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/shiken-synth-XXXXXX");
	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* rm -r for the little trees these tests make. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *p = join(path, e->d_name);
			remove_tree(p);
			free(p);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	cr_assert_not_null(d);
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static const char *const header[] = {
	"reference", "family_name", "given_name", "native_name", "date_of_birth", "gender",
	"nationality", "residence_country", "residence_region", "passport_number", "email",
	"phone", "language", "mfg_experience_months", "former_intern", "japanese_level",
	"arrangements", "photo",
};

static void read_csv(struct sk_csv_doc *doc, const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	int rc = sk_csv_read(doc, path, NULL, &rep);
	cr_assert_eq(rc, 0, "%s: %zu problems", sk_errname(rc), rep.count);
	cr_assert_eq(rep.count, 0);
	sk_report_release(&rep);
	cr_assert_str_eq(doc->encoding, "utf-8");
	cr_assert_geq(doc->count, 1);
	cr_assert_eq(doc->records[0].nfields, 18);
	for (size_t i = 0; i < 18; i++)
		cr_assert_str_eq(doc->records[0].fields[i], header[i]);
}

Test(synth, write_candidates_with_photos)
{
	char *dir = temp_dir(), *csv = join(dir, "candidates.csv"), *photos = join(dir, "photos");
	char err[256] = "";
	struct sk_csv_doc doc;

	cr_assert_eq(sk_synth_write_candidates(csv, 11, 40, YEAR, photos, 3, err, sizeof(err)), 0,
		     "%s", err);
	read_csv(&doc, csv);
	cr_assert_eq(doc.count, 41);
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *r = &doc.records[i];
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 11, i - 1, YEAR);
		cr_assert_eq(r->nfields, 18);
		cr_assert_str_eq(r->fields[0], c.reference);
		cr_assert_str_eq(r->fields[1], c.family_name);
		cr_assert_str_eq(r->fields[2], c.given_name);
		cr_assert_str_eq(r->fields[3], c.native_name);
		cr_assert_str_eq(r->fields[9], c.passport_number);
		cr_assert_eq(atoi(r->fields[13]), c.mfg_experience_months);
		cr_assert_str_eq(r->fields[14], c.former_intern ? "yes" : "no");
		cr_assert_str_eq(r->fields[16], c.arrangements);
		if (i <= 3) {
			char want[64];
			snprintf(want, sizeof(want), "photos/%s.png", c.reference);
			cr_assert_str_eq(r->fields[17], want);
			char *path = join(dir, r->fields[17]);
			unsigned char *png = NULL;
			size_t len;
			struct sk_photo_info info;
			const char *reason;
			char detail[96];
			cr_assert_eq(sk_read_file(&png, &len, path, SK_PHOTO_MAX_BYTES), 0, "%s", path);
			cr_assert_eq(sk_photo_check(&info, png, len, &reason, detail), 0, "%s", detail);
			free(png);
			free(path);
		} else {
			cr_assert_str_empty(r->fields[17]);
		}
	}
	sk_csv_release(&doc);
	/* Only the CSV and the photo directory; no temporary files left. */
	cr_assert_eq(count_entries(dir), 2);
	cr_assert_eq(count_entries(photos), 3);
	remove_tree(dir);
	free(photos);
	free(csv);
	free(dir);
}

Test(synth, photo_dir_elsewhere)
{
	char *dir = temp_dir(), *sub = join(dir, "lists"), *csv = join(sub, "c.csv");
	char *photos = join(dir, "pics/2026");
	char err[256] = "";
	struct sk_csv_doc doc;

	cr_assert_eq(mkdir(sub, 0700), 0);
	cr_assert_eq(sk_synth_write_candidates(csv, 3, 2, YEAR, photos, 5, err, sizeof(err)), 0,
		     "%s", err);
	read_csv(&doc, csv);
	cr_assert_eq(doc.count, 3);
	cr_assert_str_eq(doc.records[1].fields[17], "../pics/2026/A2026-000001.png");
	cr_assert_str_eq(doc.records[2].fields[17], "../pics/2026/A2026-000002.png");
	sk_csv_release(&doc);
	cr_assert_eq(count_entries(photos), 2);
	remove_tree(dir);
	free(photos);
	free(csv);
	free(sub);
	free(dir);
}

Test(synth, write_without_photos)
{
	char *dir = temp_dir(), *csv = join(dir, "c.csv");
	char err[256] = "";
	struct sk_csv_doc doc;

	cr_assert_eq(sk_synth_write_candidates(csv, 3, 0, YEAR, NULL, 10, err, sizeof(err)), 0,
		     "%s", err);
	read_csv(&doc, csv);
	cr_assert_eq(doc.count, 1);
	sk_csv_release(&doc);

	cr_assert_eq(sk_synth_write_candidates(csv, 3, 5000, YEAR, NULL, 0, err, sizeof(err)), 0,
		     "%s", err);
	read_csv(&doc, csv);
	cr_assert_eq(doc.count, 5001);
	for (size_t i = 1; i < doc.count; i++)
		cr_assert_str_empty(doc.records[i].fields[17]);
	sk_csv_release(&doc);
	cr_assert_eq(count_entries(dir), 1);
	remove_tree(dir);
	free(csv);
	free(dir);
}

Test(synth, write_error_leaves_nothing)
{
	char *dir = temp_dir(), *csv = join(dir, "missing/c.csv");
	char err[256] = "";

	cr_assert_eq(sk_synth_write_candidates(csv, 3, 10, YEAR, NULL, 0, err, sizeof(err)),
		     SK_EIO);
	cr_assert_not_null(strstr(err, "missing/c.csv"), "%s", err);
	cr_assert_eq(count_entries(dir), 0);
	remove_tree(dir);
	free(csv);
	free(dir);
}
