/*
 * Answer-sheet marks: every spelling an OMR export may use is read as the
 * right bits, every refusal says why in the words the import reports, and
 * formatting gives back what a person would write.
 */
#include "exam/response.h"
#include "core/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define MC 0
#define TF 1
#define A_ 0x01
#define B_ 0x02
#define C_ 0x04
#define D_ 0x08
#define E_ 0x10

static unsigned char parsed(const char *text, int tf, int noptions)
{
	unsigned char m = 0xEE;
	const char *why = "unset";
	int rc = sk_mark_parse(text, tf, noptions, &m, &why);
	cr_assert_eq(rc, 0, "'%s' (tf %d, %d options) refused: %s", text, tf, noptions, why ? why : "(null)");
	cr_assert_null(why, "'%s': why is set on success", text);
	return m;
}

/* The refusal as the import reports it: why filled in with the text and
 * what the question takes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static const char *refusal(const char *text, int tf, int noptions, char out[256])
{
	unsigned char m = 0xEE;
	const char *why = NULL;
	int rc = sk_mark_parse(text, tf, noptions, &m, &why);
	cr_assert_eq(rc, SK_EINPUT, "'%s' (tf %d, %d options) was accepted as 0x%02x", text, tf, noptions, m);
	cr_assert_not_null(why);
	cr_assert_eq(m, SK_MARK_BLANK, "'%s': mark set on failure", text);
	char takes[8];
	if (tf)
		snprintf(takes, sizeof(takes), "O/X");
	else
		snprintf(takes, sizeof(takes), "A-%c", 'A' + noptions - 1);
	snprintf(out, 256, why, text, takes);
	return out;
}
#pragma GCC diagnostic pop

static void refused(const char *text, int tf, int noptions, const char *want)
{
	char got[256];
	cr_assert_str_eq(refusal(text, tf, noptions, got), want, "'%s' (tf %d, %d options)", text, tf, noptions);
}

Test(marks, blank)
{
	cr_assert_eq(parsed("", TF, 2), SK_MARK_BLANK);
	cr_assert_eq(parsed("", MC, 4), SK_MARK_BLANK);
	cr_assert_eq(parsed("  ", MC, 4), SK_MARK_BLANK);
	cr_assert_eq(parsed("\xE3\x80\x80", TF, 2), SK_MARK_BLANK); /* ideographic space */
}

Test(marks, true_false_spellings)
{
	static const char *const maru[] = { "O", "o", "○", "◯", "〇", "Ｏ", "ｏ", " O " };
	static const char *const batsu[] = { "X", "x", "×", "✕", "Ｘ", "ｘ" };
	for (size_t i = 0; i < sizeof(maru) / sizeof(maru[0]); i++)
		cr_assert_eq(parsed(maru[i], TF, 2), A_, "'%s'", maru[i]);
	for (size_t i = 0; i < sizeof(batsu) / sizeof(batsu[0]); i++)
		cr_assert_eq(parsed(batsu[i], TF, 2), B_, "'%s'", batsu[i]);
	/* the option count does not matter for ○× */
	cr_assert_eq(parsed("X", TF, 0), B_);
	cr_assert_eq(parsed("O", TF, 5), A_);
}

Test(marks, true_false_both)
{
	static const char *const both[] = { "OX", "XO", "O X", "O/X", "O / X", "○×", "×○", "○ ×",
					    "ox", "Ｏ／Ｘ", "O　X", "◯✕" };
	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++)
		cr_assert_eq(parsed(both[i], TF, 2), A_ | B_, "'%s'", both[i]);
}

Test(marks, multiple_choice_letters)
{
	static const struct {
		const char *text;
		unsigned char mark;
	} cases[] = {
		{ "A", A_ }, { "B", B_ }, { "C", C_ }, { "D", D_ }, { "E", E_ },
		{ "a", A_ }, { "e", E_ }, { "Ａ", A_ }, { "ｃ", C_ }, { "Ｅ", E_ },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(parsed(cases[i].text, MC, 5), cases[i].mark, "'%s'", cases[i].text);
	cr_assert_eq(parsed("C", MC, 3), C_);
	cr_assert_eq(parsed("D", MC, 4), D_);
}

Test(marks, several_marks)
{
	static const char *const ac[] = { "AC", "CA", "A C", "A/C", "A / C", "a/c", "ＡＣ", "A／C", "A　C", "A//C", "A  C" };
	for (size_t i = 0; i < sizeof(ac) / sizeof(ac[0]); i++)
		cr_assert_eq(parsed(ac[i], MC, 4), A_ | C_, "'%s'", ac[i]);
	cr_assert_eq(parsed("ABCDE", MC, 5), A_ | B_ | C_ | D_ | E_);
	cr_assert_eq(parsed("E/A", MC, 5), A_ | E_);
	cr_assert_eq(parsed("B D", MC, 4), B_ | D_);
}

Test(marks, unclear)
{
	cr_assert_eq(parsed("*", MC, 4), SK_MARK_UNCLEAR);
	cr_assert_eq(parsed("*", TF, 2), SK_MARK_UNCLEAR);
	cr_assert_eq(parsed("＊", MC, 5), SK_MARK_UNCLEAR);
	cr_assert_eq(parsed(" * ", MC, 3), SK_MARK_UNCLEAR);
}

Test(marks, an_option_the_question_lacks)
{
	refused("E", MC, 4, "'E' is not an answer to this question (it takes A-D)");
	refused("D", MC, 3, "'D' is not an answer to this question (it takes A-C)");
	refused("e", MC, 4, "'e' is not an answer to this question (it takes A-D)");
	refused("AE", MC, 4, "'AE' is not an answer to this question (it takes A-D)");
	refused("A/E", MC, 4, "'A/E' is not an answer to this question (it takes A-D)");
	refused("C", MC, 2, "'C' is not an answer to this question (it takes A-B)");
}

Test(marks, a_letter_on_a_true_false_question)
{
	refused("A", TF, 2, "'A' is not an answer to this question (it takes O/X)");
	refused("B", TF, 2, "'B' is not an answer to this question (it takes O/X)");
	refused("OA", TF, 2, "'OA' is not an answer to this question (it takes O/X)");
	refused("ａ", TF, 2, "'ａ' is not an answer to this question (it takes O/X)");
}

Test(marks, true_false_on_a_multiple_choice_question)
{
	refused("O", MC, 4, "'O' is not an answer to this question (it takes A-D)");
	refused("X", MC, 4, "'X' is not an answer to this question (it takes A-D)");
	refused("○", MC, 5, "'○' is not an answer to this question (it takes A-E)");
	refused("×", MC, 5, "'×' is not an answer to this question (it takes A-E)");
	refused("AO", MC, 4, "'AO' is not an answer to this question (it takes A-D)");
}

Test(marks, the_same_mark_twice)
{
	refused("AA", MC, 4, "'AA' names the same answer twice");
	refused("A a", MC, 4, "'A a' names the same answer twice");
	refused("A/Ａ", MC, 4, "'A/Ａ' names the same answer twice");
	refused("O○", TF, 2, "'O○' names the same answer twice");
	refused("XX", TF, 2, "'XX' names the same answer twice");
}

Test(marks, star_with_other_marks)
{
	refused("*A", MC, 4, "'*A' mixes '*' (marks that could not be told apart) with other marks");
	refused("A*", MC, 4, "'A*' mixes '*' (marks that could not be told apart) with other marks");
	refused("O *", TF, 2, "'O *' mixes '*' (marks that could not be told apart) with other marks");
	refused("**", MC, 4, "'**' mixes '*' (marks that could not be told apart) with other marks");
}

Test(marks, not_a_mark)
{
	static const char *const junk[] = { "F", "Z", "1", "0", "?", "-", ".", "A-C", "A,C", "A;C", "/A", "A/",
					    "/", "AB?", "あ", "正", "\xFF", "A\x01" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		char got[256], want[256];
		snprintf(want, sizeof(want), "'%s' is not a mark (this question takes A-D, several like AC, * or nothing)",
			 junk[i]);
		cr_assert_str_eq(refusal(junk[i], MC, 4, got), want);
	}
	refused("1", TF, 2, "'1' is not a mark (this question takes O/X, several like AC, * or nothing)");
}

Test(marks, format)
{
	char out[16];
	cr_assert_str_eq(sk_mark_format(SK_MARK_BLANK, 0, out), "");
	cr_assert_str_eq(sk_mark_format(SK_MARK_BLANK, 1, out), "");
	cr_assert_str_eq(sk_mark_format(A_, 1, out), "○");
	cr_assert_str_eq(sk_mark_format(B_, 1, out), "×");
	cr_assert_str_eq(sk_mark_format(A_ | B_, 1, out), "○×");
	cr_assert_str_eq(sk_mark_format(A_, 0, out), "A");
	cr_assert_str_eq(sk_mark_format(B_, 0, out), "B");
	cr_assert_str_eq(sk_mark_format(E_, 0, out), "E");
	cr_assert_str_eq(sk_mark_format(A_ | C_, 0, out), "AC");
	cr_assert_str_eq(sk_mark_format(0x1F, 0, out), "ABCDE");
	cr_assert_str_eq(sk_mark_format(SK_MARK_UNCLEAR, 0, out), "*");
	cr_assert_str_eq(sk_mark_format(SK_MARK_UNCLEAR, 1, out), "*");
	cr_assert_eq(sk_mark_format(A_, 0, out), out, "returns its buffer");
}

/* What sk_mark_format writes, sk_mark_parse reads back as the same mark. */
Test(marks, round_trip)
{
	char out[16];
	for (unsigned m = 1; m < 32; m++)
		cr_assert_eq(parsed(sk_mark_format((unsigned char)m, 0, out), MC, 5), m, "mark 0x%02x as '%s'", m, out);
	for (unsigned m = 1; m < 4; m++)
		cr_assert_eq(parsed(sk_mark_format((unsigned char)m, 1, out), TF, 2), m, "mark 0x%02x as '%s'", m, out);
	cr_assert_eq(parsed(sk_mark_format(SK_MARK_UNCLEAR, 0, out), MC, 4), SK_MARK_UNCLEAR);
}
