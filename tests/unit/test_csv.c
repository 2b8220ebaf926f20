/*
 * CSV as exam staff send it: the line each record starts on (through quoted
 * multi-line fields, blank lines and rows of bare commas), BOMs, CP932 from
 * Excel, invalid bytes reported by line and byte column, NUL bytes, quoting
 * errors in strict mode, header mapping with Japanese aliases, row widths,
 * and a writer whose output reads back as written.
 *
 * Tests marked .disabled show bugs reported to csv.c's owner; enable them
 * with the fix.
 */
#include "core/buf.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/report.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(struct sk_csv_doc *doc, struct sk_report *rep, const char *bytes,
		 const char *encoding)
{
	sk_report_init(rep);
	return sk_csv_parse(doc, "t.csv", bytes, strlen(bytes), encoding, rep);
}

/* Bytes with NULs in them: the length is the literal's, less its own NUL. */
#define PARSE_BYTES(doc, rep, lit, enc) parse_n(doc, rep, lit, sizeof(lit) - 1, enc)

static int parse_n(struct sk_csv_doc *doc, struct sk_report *rep, const char *bytes, size_t len,
		   const char *encoding)
{
	sk_report_init(rep);
	return sk_csv_parse(doc, "t.csv", bytes, len, encoding, rep);
}

static char *formatted(const struct sk_report *rep)
{
	struct sk_buf b = SK_BUF_INIT;
	for (size_t i = 0; i < rep->count; i++) {
		sk_diag_format(&b, &rep->items[i], NULL);
		sk_buf_addch(&b, '\n');
	}
	return sk_buf_detach(&b, NULL);
}

static void assert_ok(int rc, const struct sk_report *rep)
{
	char *text = formatted(rep);
	cr_assert_eq(rc, 0, "got %s:\n%s", sk_errname(rc), text);
	cr_assert_eq(rep->count, 0, "%s", text);
	free(text);
}

/* Parsing failed with exactly one problem whose formatted text is `want`;
 * the doc was released. */
static void assert_one_problem(int rc, struct sk_csv_doc *doc, struct sk_report *rep,
			       const char *want)
{
	char *text = formatted(rep);
	cr_assert_eq(rc, SK_EINPUT, "got %s:\n%s", sk_errname(rc), text);
	cr_assert_eq(rep->count, 1, "%s", text);
	char line[512];
	snprintf(line, sizeof(line), "%s\n", want);
	cr_assert_str_eq(text, line);
	free(text);
	cr_assert_eq(doc->count, 0, "released");
	cr_assert_null(doc->records);
	sk_report_release(rep);
}

/* ---- records and their lines ---- */

Test(csv, simple_records)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "name,city\nAn,Hanoi\nBinh,Hue\n", NULL), &rep);
	cr_assert_str_eq(doc.encoding, "utf-8");
	cr_assert_str_eq(doc.name, "t.csv");
	cr_assert_eq(doc.count, 3);
	cr_assert_eq(doc.records[2].nfields, 2);
	cr_assert_str_eq(doc.records[2].fields[0], "Binh");
	cr_assert_str_eq(doc.records[2].fields[1], "Hue");
	cr_assert_eq(doc.records[2].line, 3);
	sk_csv_release(&doc);
}

Test(csv, last_line_without_newline)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "name,city\nAn,Hanoi", NULL), &rep);
	cr_assert_eq(doc.count, 2);
	cr_assert_str_eq(doc.records[1].fields[1], "Hanoi");
	cr_assert_eq(doc.records[1].line, 2);
	sk_csv_release(&doc);
}

static const char multi[] =
	"name,note,city\n"               /* 1 */
	"Alice,\"line one\n"             /* 2 */
	"line two\",Hanoi\n"             /* 3 */
	"\n"                             /* 4 */
	",,\n"                           /* 5 */
	"Bob,x,Manila\n"                 /* 6 */
	"   \n"                          /* 7 */
	"\"Carol\",\"multi\n"            /* 8 */
	"\n"                             /* 9 */
	"para\",Jakarta\n"               /* 10 */
	",,,\n"                          /* 11 */
	"Dung,\"\"\"quoted\"\", too\",Hue\n"; /* 12 */

static void check_multi(const struct sk_csv_doc *doc, const char *nl)
{
	cr_assert_eq(doc->count, 5);
	static const long lines[] = { 1, 2, 6, 8, 12 };
	for (int i = 0; i < 5; i++)
		cr_assert_eq(doc->records[i].line, lines[i], "record %d on line %ld, want %ld", i,
			     doc->records[i].line, lines[i]);
	char want[32];
	snprintf(want, sizeof(want), "line one%sline two", nl);
	cr_assert_str_eq(doc->records[1].fields[1], want, "a line break inside quotes is data");
	cr_assert_str_eq(doc->records[1].fields[2], "Hanoi");
	cr_assert_str_eq(doc->records[3].fields[0], "Carol");
	cr_assert_str_eq(doc->records[4].fields[1], "\"quoted\", too");
}

Test(csv, line_numbers_through_multiline_fields_and_blank_rows)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, multi, NULL), &rep);
	check_multi(&doc, "\n");
	cr_assert_str_eq(doc.records[3].fields[1], "multi\n\npara");
	sk_csv_release(&doc);
}

Test(csv, line_numbers_with_crlf)
{
	struct sk_buf b = SK_BUF_INIT;
	for (const char *p = multi; *p; p++) {
		if (*p == '\n')
			sk_buf_addch(&b, '\r');
		sk_buf_addch(&b, *p);
	}
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, b.buf, NULL), &rep);
	check_multi(&doc, "\r\n");
	sk_csv_release(&doc);
	sk_buf_release(&b);
}

Test(csv, fields_are_trimmed_and_nfc)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep,
			"name,city\n  Nguy\xc3\xaa\xcc\x83n  ,\xe3\x80\x80\xe6\x9d\xb1\xe4\xba\xac\xe3\x80\x80\n",
			NULL),
		  &rep);
	cr_assert_str_eq(doc.records[1].fields[0], "Nguy\xe1\xbb\x85n");
	cr_assert_str_eq(doc.records[1].fields[1], "東京");
	sk_csv_release(&doc);
}

Test(csv, field_accessor)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "a,b,c\n1,2\n", NULL), &rep);
	cr_assert_str_eq(sk_csv_field(&doc.records[1], 1), "2");
	cr_assert_str_eq(sk_csv_field(&doc.records[1], 2), "");
	cr_assert_str_eq(sk_csv_field(&doc.records[1], -1), "");
	sk_csv_release(&doc);
}

/* ---- encodings ---- */

Test(csv, bom_is_dropped)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "\xEF\xBB\xBFname,city\nAn,Hanoi\n", NULL), &rep);
	cr_assert_str_eq(doc.encoding, "utf-8");
	cr_assert_str_eq(doc.records[0].fields[0], "name");
	cr_assert_eq(doc.records[0].line, 1);
	sk_csv_release(&doc);
}

Test(csv, bom_with_explicit_cp932_is_utf8)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "\xEF\xBB\xBFname\n\xe5\xb1\xb1\xe7\x94\xb0\n", "cp932"), &rep);
	cr_assert_str_eq(doc.encoding, "utf-8");
	cr_assert_str_eq(doc.records[1].fields[0], "山田");
	sk_csv_release(&doc);
}

/* "氏名,都市\n山田,東京\n髙橋,①\n～" in CP932: 髙 and ① are Windows
 * extensions, and 0x8160 is U+FF5E in CP932 but U+301C in Shift_JIS. */
static const char cp932[] = "\x8E\x81\x96\xBC\x2C\x93\x73\x8E\x73\x0A"
			    "\x8E\x52\x93\x63\x2C\x93\x8C\x8B\x9E\x0A"
			    "\xEE\xE0\x8B\xB4\x2C\x87\x40\x0A"
			    "\x81\x60\x0A";

static void check_cp932(const struct sk_csv_doc *doc)
{
	cr_assert_str_eq(doc->encoding, "cp932");
	cr_assert_eq(doc->count, 4);
	cr_assert_str_eq(doc->records[0].fields[0], "氏名");
	cr_assert_str_eq(doc->records[0].fields[1], "都市");
	cr_assert_str_eq(doc->records[1].fields[0], "山田");
	cr_assert_str_eq(doc->records[1].fields[1], "東京");
	cr_assert_str_eq(doc->records[2].fields[0], "髙橋");
	cr_assert_str_eq(doc->records[2].fields[1], "①");
	cr_assert_str_eq(doc->records[3].fields[0], "\xEF\xBD\x9E"); /* U+FF5E */
	cr_assert_eq(doc->records[3].line, 4);
}

Test(csv, cp932_detected)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, cp932, NULL), &rep);
	check_cp932(&doc);
	sk_csv_release(&doc);
}

Test(csv, cp932_named)
{
	const char *names[] = { "cp932", "CP932", "shift_jis", "sjis", "windows-31j", "auto", "" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sk_csv_doc doc;
		struct sk_report rep;
		assert_ok(parse(&doc, &rep, cp932, names[i]), &rep);
		check_cp932(&doc);
		sk_csv_release(&doc);
	}
}

Test(csv, ascii_is_utf8)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "a,b\n1,2\n", "cp932"), &rep);
	cr_assert_eq(doc.count, 2);
	sk_csv_release(&doc);
}

Test(csv, unsupported_encoding)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "a\n", "latin1");
	assert_one_problem(rc, &doc, &rep,
			   "t.csv: encoding: 'latin1' is not a supported encoding (use utf-8 or cp932)");
}

Test(csv, invalid_utf8_position)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name,city\nAn,Hanoi\nBinh,H\xFFue\n", "utf-8");
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:3: encoding: invalid UTF-8 (byte 0xFF at column 7); "
			   "if Excel saved this file, try --encoding cp932");
}

Test(csv, invalid_utf8_position_after_multibyte_text)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	/* A truncated sequence: 受 is E5 8F 97; the column counts bytes. */
	int rc = parse(&doc, &rep, "name\n受験,\xE5\x8F\n", "utf-8");
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:2: encoding: invalid UTF-8 (byte 0xE5 at column 8); "
			   "if Excel saved this file, try --encoding cp932");
}

Test(csv, invalid_utf8_after_bom)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "\xEF\xBB\xBFname\nab\xC0\xAF\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:2: encoding: invalid UTF-8 (byte 0xC0 at column 3)");
}

Test(csv, invalid_utf8_on_bom_line_counts_file_bytes)
{
	/* On the first line the column counts the BOM too, as an editor or
	 * `cut -b` shows it. */
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "\xEF\xBB\xBFna\xFFme\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:1: encoding: invalid UTF-8 (byte 0xFF at column 6)");
}

Test(csv, stray_byte_in_utf8_text_reported_where_it_is)
{
	/* A Latin-1 '½' (0xBD) pasted into a UTF-8 file must not turn the file
	 * into CP932 mojibake. */
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "氏名,都市\n山田,東京\n高橋,1\xBD\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:3: encoding: invalid UTF-8 (byte 0xBD at column 9)");
}

Test(csv, utf16_refused_with_its_own_message)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = PARSE_BYTES(&doc, &rep, "\xFF\xFEn\0a\0\n\0", NULL);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_eq(rep.count, 1, "%s", text);
	cr_assert(strstr(text, "UTF-16"), "%s", text);
	free(text);
	sk_report_release(&rep);
}

Test(csv, neither_utf8_nor_cp932)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name\nab\x80\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:2: encoding: neither UTF-8 nor CP932 (byte 0x80 at column 3)");
}

Test(csv, invalid_cp932_named)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name\nok\nab\x80\n", "cp932");
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:3: encoding: invalid CP932 (byte 0x80 at column 3)");
}

Test(csv, nul_byte_refused_in_ascii)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = PARSE_BYTES(&doc, &rep, "a,b\nc,\0d\n", NULL);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT, "%s", sk_errname(rc));
	cr_assert_eq(rep.count, 1, "%s", text);
	cr_assert_eq(rep.items[0].line, 2, "%s", text);
	cr_assert_str_eq(rep.items[0].args[0], "0x00", "%s", text);
	cr_assert_str_eq(rep.items[0].args[1], "3", "%s", text);
	free(text);
	sk_report_release(&rep);
}

Test(csv, nul_byte_refused_with_utf8_text)
{
	/* A NUL fails the UTF-8 check; the file must not then be blamed as
	 * CP932 somewhere in its (valid) UTF-8 text. */
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = PARSE_BYTES(&doc, &rep, "受験,x\nab,\0\n", NULL);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT, "%s", sk_errname(rc));
	cr_assert_eq(rep.count, 1, "%s", text);
	cr_assert_eq(rep.items[0].line, 2, "%s", text);
	cr_assert_str_eq(rep.items[0].args[0], "0x00", "%s", text);
	cr_assert_str_eq(rep.items[0].args[1], "4", "%s", text);
	free(text);
	sk_report_release(&rep);
}

Test(csv, nul_byte_refused_when_utf8_named)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = PARSE_BYTES(&doc, &rep, "a\nb\0\n", "utf-8");
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_eq(rep.count, 1, "%s", text);
	cr_assert_eq(rep.items[0].line, 2);
	cr_assert_str_eq(rep.items[0].args[0], "0x00");
	cr_assert_str_eq(rep.items[0].args[1], "2");
	free(text);
	sk_report_release(&rep);
}

/* ---- quoting ---- */

Test(csv, unterminated_quote_at_eof_names_its_first_line)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name,note\nAn,ok\nBinh,\"never\nclosed\nat all\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:3: csv: quoted field is never closed (it starts on this line and runs "
			   "to the end of the file)");
}

Test(csv, quote_inside_unquoted_field)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name,note\nAn,ok\nBinh,5\"3\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:3: csv: malformed quoting (a quote inside an unquoted field, or text "
			   "after a closing quote)");
}

Test(csv, text_after_closing_quote)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name,note\n\"An\"x,ok\n", NULL);
	assert_one_problem(rc, &doc, &rep,
			   "t.csv:2: csv: malformed quoting (a quote inside an unquoted field, or text "
			   "after a closing quote)");
}

Test(csv, quoting_error_inside_multiline_record)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	int rc = parse(&doc, &rep, "name,note\nAn,\"one\ntwo\"x\n", NULL);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_eq(rep.count, 1);
	cr_assert_eq(rep.items[0].line, 3, "the line where the error is");
	sk_report_release(&rep);
}

/* ---- empty input ---- */

Test(csv, empty_inputs)
{
	const char *empties[] = { "", "\n\n", "\xEF\xBB\xBF", ",,,\n,,\n", "  \n\t\n" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		struct sk_csv_doc doc;
		struct sk_report rep;
		int rc = parse(&doc, &rep, empties[i], NULL);
		assert_one_problem(rc, &doc, &rep,
				   "t.csv:1: header: the file is empty; expected a header row");
	}
}

/* ---- files ---- */

Test(csv, read_file)
{
	char *dir = unit_temp_dir(), *path = unit_path(dir, "c.csv");
	unit_write_file(path, cp932, sizeof(cp932) - 1);
	struct sk_csv_doc doc;
	struct sk_report rep = SK_REPORT_INIT;
	assert_ok(sk_csv_read(&doc, path, NULL, &rep), &rep);
	check_cp932(&doc);
	cr_assert_str_eq(doc.name, path);
	sk_csv_release(&doc);
	unit_remove_tree(dir);
	free(path);
	free(dir);
}

Test(csv, read_missing_file_and_directory)
{
	char *dir = unit_temp_dir(), *path = unit_path(dir, "none.csv");
	struct sk_csv_doc doc;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_csv_read(&doc, path, NULL, &rep), SK_EIO);
	cr_assert_eq(rep.count, 1);
	cr_assert_str_eq(rep.items[0].file, path);
	sk_report_release(&rep);
	cr_assert_eq(sk_csv_read(&doc, dir, NULL, &rep), SK_EIO);
	cr_assert_eq(rep.count, 1);
	sk_report_release(&rep);
	unit_remove_tree(dir);
	free(path);
	free(dir);
}

/* ---- header mapping ---- */

static const struct sk_csv_col cols[] = {
	{ "passport_name", "氏名", SK_CSV_REQUIRED },
	{ "date_of_birth", "生年月日", SK_CSV_REQUIRED },
	{ "nationality", "国籍", 0 },
	{ "native_name", NULL, 0 },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static int map(const char *header, int ignore_unknown, int idx[NCOLS], struct sk_report *rep,
	       struct sk_csv_doc *doc)
{
	struct sk_report parse_rep;
	assert_ok(parse(doc, &parse_rep, header, NULL), &parse_rep);
	sk_report_init(rep);
	return sk_csv_map(doc, cols, NCOLS, ignore_unknown, idx, rep);
}

Test(csv, map_exact_names)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	assert_ok(map("nationality,passport_name,date_of_birth\n", 0, idx, &rep, &doc), &rep);
	cr_assert_eq(idx[0], 1);
	cr_assert_eq(idx[1], 2);
	cr_assert_eq(idx[2], 0);
	cr_assert_eq(idx[3], -1, "optional and absent");
	sk_csv_release(&doc);
}

Test(csv, map_case_spaces_and_hyphens)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	assert_ok(map("Passport Name, DATE-OF-BIRTH ,Native-Name\n", 0, idx, &rep, &doc), &rep);
	cr_assert_eq(idx[0], 0);
	cr_assert_eq(idx[1], 1);
	cr_assert_eq(idx[3], 2);
	sk_csv_release(&doc);
}

Test(csv, map_japanese_aliases)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	assert_ok(map("氏名,生年月日,国籍\n", 0, idx, &rep, &doc), &rep);
	cr_assert_eq(idx[0], 0);
	cr_assert_eq(idx[1], 1);
	cr_assert_eq(idx[2], 2);
	sk_csv_release(&doc);
	/* The same from an Excel file in CP932. */
	struct sk_report prep;
	assert_ok(parse(&doc, &prep, "\x8E\x81\x96\xBC,\x90\xB6\x94\x4E\x8C\x8E\x93\xFA\n", NULL), &prep);
	sk_report_init(&rep);
	assert_ok(sk_csv_map(&doc, cols, NCOLS, 0, idx, &rep), &rep);
	cr_assert_eq(idx[0], 0);
	cr_assert_eq(idx[1], 1);
	sk_csv_release(&doc);
}

Test(csv, map_unknown_column)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("passport_name,date_of_birth,shoe_size\n", 0, idx, &rep, &doc);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_str_eq(text, "t.csv:1: shoe_size: unknown column (use --ignore-unknown to skip it)\n");
	free(text);
	sk_report_release(&rep);
	cr_assert_eq(sk_csv_map(&doc, cols, NCOLS, 1, idx, &rep), 0, "ignored when asked");
	cr_assert_eq(rep.count, 0);
	cr_assert_eq(idx[0], 0);
	cr_assert_eq(idx[1], 1);
	sk_csv_release(&doc);
}

Test(csv, map_duplicate_column)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("passport_name,date_of_birth,Passport Name\n", 0, idx, &rep, &doc);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_str_eq(text, "t.csv:1: passport_name: column appears twice\n");
	cr_assert_eq(idx[0], 0, "the first one counts");
	free(text);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

Test(csv, map_duplicate_through_alias)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("生年月日,passport_name,date_of_birth\n", 0, idx, &rep, &doc);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_str_eq(text, "t.csv:1: date_of_birth: column appears twice\n");
	free(text);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

Test(csv, map_missing_required_columns)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("nationality,native_name\n", 0, idx, &rep, &doc);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_str_eq(text, "t.csv:1: passport_name: required column is missing\n"
			       "t.csv:1: date_of_birth: required column is missing\n");
	free(text);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

Test(csv, map_unnamed_column)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("passport_name,,date_of_birth\n", 0, idx, &rep, &doc);
	char *text = formatted(&rep);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_str_eq(text, "t.csv:1: header: column 2 has no name\n");
	free(text);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

Test(csv, map_forgives_trailing_empty_header_cells)
{
	/* Excel writes "a,b,," when cells right of the table were ever used:
	 * the header's trailing empty cells are forgiven as the rows' are. */
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	struct sk_report prep;
	assert_ok(parse(&doc, &prep, "passport_name,date_of_birth,,\nAn,2000-01-01\n", NULL), &prep);
	sk_report_init(&rep);
	assert_ok(sk_csv_map(&doc, cols, NCOLS, 0, idx, &rep), &rep);
	assert_ok(sk_csv_check_width(&doc, &doc.records[1], &rep), &rep);
	sk_csv_release(&doc);
}

Test(csv, map_header_not_on_first_line)
{
	int idx[NCOLS];
	struct sk_report rep;
	struct sk_csv_doc doc;
	int rc = map("\n\npassport_name,date_of_birth,x\n", 0, idx, &rep, &doc);
	cr_assert_eq(rc, SK_EINPUT);
	cr_assert_eq(rep.items[0].line, 3);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

/* ---- widths ---- */

Test(csv, width_check)
{
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, "a,b,c\n1,2,3\n1,2,3,,\n1,2,3,4\n1,2\n1,2,,\n", NULL), &rep);
	cr_assert_eq(doc.count, 6);
	cr_assert_eq(sk_csv_check_width(&doc, &doc.records[1], &rep), 0);
	cr_assert_eq(sk_csv_check_width(&doc, &doc.records[2], &rep), 0, "trailing empties forgiven");
	cr_assert_eq(sk_csv_check_width(&doc, &doc.records[5], &rep), 0);
	cr_assert_eq(rep.count, 0);
	cr_assert_eq(sk_csv_check_width(&doc, &doc.records[3], &rep), SK_EINPUT);
	cr_assert_eq(sk_csv_check_width(&doc, &doc.records[4], &rep), SK_EINPUT);
	char *text = formatted(&rep);
	cr_assert_str_eq(text, "t.csv:4: row: has 4 fields; the header has 3\n"
			       "t.csv:5: row: has 2 fields; the header has 3\n");
	free(text);
	sk_report_release(&rep);
	sk_csv_release(&doc);
}

/* ---- writing ---- */

static const char *const awkward[] = {
	"plain", "", "with,comma", "with \"quotes\"", "\"", "two\nlines", "crlf\r\nline",
	"受験者", "=1+2", "trailing,", ",", "\"\"",
};
#define NAWKWARD (sizeof(awkward) / sizeof(awkward[0]))

Test(csv, writer_quotes_when_needed)
{
	struct sk_buf b = SK_BUF_INIT;
	const char *row[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "", " pad" };
	sk_csv_put_row(&b, row, 6);
	cr_assert_str_eq(b.buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",, pad\n");
	sk_buf_release(&b);
}

Test(csv, writer_null_field_is_empty)
{
	struct sk_buf b = SK_BUF_INIT;
	const char *row[] = { "a", NULL, "c" };
	sk_csv_put_row(&b, row, 3);
	cr_assert_str_eq(b.buf, "a,,c\n");
	sk_buf_release(&b);
}

Test(csv, writer_round_trips_through_reader)
{
	struct sk_buf b = SK_BUF_INIT;
	const char *header[NAWKWARD];
	char names[NAWKWARD][8];
	for (size_t i = 0; i < NAWKWARD; i++) {
		snprintf(names[i], sizeof(names[i]), "c%zu", i);
		header[i] = names[i];
	}
	sk_csv_put_row(&b, header, NAWKWARD);
	sk_csv_put_row(&b, awkward, NAWKWARD);
	sk_csv_put_row(&b, awkward, NAWKWARD);
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, b.buf, "utf-8"), &rep);
	cr_assert_eq(doc.count, 3);
	for (size_t r = 1; r < 3; r++) {
		cr_assert_eq(doc.records[r].nfields, NAWKWARD);
		for (size_t i = 0; i < NAWKWARD; i++)
			cr_assert_str_eq(doc.records[r].fields[i], awkward[i], "field %zu", i);
	}
	/* Header on line 1, the first row on 2-4 (two fields hold a line
	 * break), the second from line 5. */
	cr_assert_eq(doc.records[1].line, 2);
	cr_assert_eq(doc.records[2].line, 5, "multi-line fields counted");
	sk_csv_release(&doc);
	sk_buf_release(&b);
}

Test(csv, writer_leaves_edge_spaces_to_the_reader_which_trims)
{
	/* Every field is trimmed when read, quoted or not, so the writer does
	 * not quote edge spaces: " padded " comes back as "padded". */
	const char *row[] = { " padded ", "  lead", "trail  " };
	const char *want[] = { "padded", "lead", "trail" };
	struct sk_buf b = SK_BUF_INIT;
	const char *header[] = { "a", "b", "c" };
	sk_csv_put_row(&b, header, 3);
	sk_csv_put_row(&b, row, 3);
	cr_assert_str_eq(b.buf, "a,b,c\n padded ,  lead,trail  \n");
	struct sk_csv_doc doc;
	struct sk_report rep;
	assert_ok(parse(&doc, &rep, b.buf, NULL), &rep);
	for (int i = 0; i < 3; i++)
		cr_assert_str_eq(doc.records[1].fields[i], want[i]);
	sk_csv_release(&doc);
	sk_buf_release(&b);
}
