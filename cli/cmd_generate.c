/* shiken generate candidates|responses: synthetic sample data. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/import.h"
#include "core/keys.h"
#include "core/synth.h"
#include "exam/simulate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken generate candidates --out FILE.csv [--count N] [--seed S] [--year YYYY]\n"
	   "                                  [--photos N]\n"
	   "\n"
	   "Write N synthetic candidates (default 100) in the import format: names and\n"
	   "data typical of the main sending countries, the same for the same seed.\n"
	   "--photos N gives the first N candidates a portrait in photos/ beside FILE.\n"
	   "No real person is described.\n");
static const char usage_responses[] =
	N_("usage: shiken generate responses --sitting S --out FILE.csv [--seed N] [--absent PERCENT]\n"
	   "                                 [--copiers N] [--sharers N] [--copy-share PERCENT]\n"
	   "                                 [--planted FILE.csv]\n"
	   "\n"
	   "Write the answer sheets an OMR service would return for the sitting's papers\n"
	   "(the 'responses import' format), as candidates of varied ability would mark\n"
	   "them: each an ability drawn from the seed and the exam number, each item as\n"
	   "hard as its bank difficulty, a few blanks and double marks. Whoever was\n"
	   "checked in at the door hands in a sheet, whoever was marked absent does not;\n"
	   "of the candidates check-in has no record of, PERCENT (default 3) are absent.\n"
	   "The same for the same seed. Reading the keys to do so is recorded in the\n"
	   "audit log.\n"
	   "\n"
	   "To test the answer-copying check, copying can be planted: --copiers N\n"
	   "candidates copy the letters marked on a neighbour's sheet, --sharers N take\n"
	   "another candidate's answers on the same form; each copies PERCENT (default 80)\n"
	   "of the questions. --planted writes the pairs: copier, source, kind.\n");

static int parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* 'generate' needs no database, but 'generate responses' reads one: it is
 * opened here as the dispatcher would for a command that needs it. */
static int gen_responses(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 'S' }, { "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },    { "absent", required_argument, NULL, 'a' },
		{ "copiers", required_argument, NULL, 'c' }, { "sharers", required_argument, NULL, 'h' },
		{ "copy-share", required_argument, NULL, 'p' }, { "planted", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *out = NULL, *planted = NULL;
	unsigned long long copiers = 0, sharers = 0;
	unsigned long long seed = 1;
	struct sk_simulate_opts so = { .absent_percent = 3.0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		int bad = 0;
		char *end = NULL;
		switch (c) {
		case 'S': sitting = optarg; break;
		case 'o': out = optarg; break;
		case 's': bad = parse_count(optarg, ~0ULL, &seed); break;
		case 'a':
			so.absent_percent = strtod(optarg, &end);
			bad = !*optarg || *end || !(so.absent_percent >= 0 && so.absent_percent <= 100);
			break;
		case 'c': bad = parse_count(optarg, 100000, &copiers); break;
		case 'h': bad = parse_count(optarg, 100000, &sharers); break;
		case 'p':
			so.copy_share = strtod(optarg, &end) / 100.0;
			bad = !*optarg || *end || !(so.copy_share > 0 && so.copy_share <= 1);
			break;
		case 'P': planted = optarg; break;
		case ':':
			return cli_bad_usage(usage_responses, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_responses, _("unknown option '%s'"), argv[optind - 1]);
		}
		if (bad)
			return cli_bad_usage(usage_responses, _("'%s' is not a valid number here"), optarg);
	}
	if (optind < argc)
		return cli_bad_usage(usage_responses, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting)
		return cli_bad_usage(usage_responses, "%s", _("give --sitting S"));
	if (!out)
		return cli_bad_usage(usage_responses, "%s", _("give --out FILE.csv"));
	so.seed = seed;
	so.copiers = (size_t)copiers;
	so.sharers = (size_t)sharers;
	if (planted && !copiers && !sharers)
		return cli_bad_usage(usage_responses, "%s", _("--planted lists planted copying: give --copiers or --sharers"));
	int64_t fixed_now;
	if (cli_fixed_now(&fixed_now))
		return EXIT_USAGE;
	char errmsg[1024];
	if (sk_db_open(&cli->db, cli->db_path, 0, errmsg, sizeof(errmsg))) {
		cli_error("%s", errmsg);
		return EXIT_FAIL;
	}
	sk_db_set_clock(cli->db, fixed_now);
	sk_db_set_actor(cli->db, cli->actor);
	sk_db_set_command(cli->db, "generate responses");
	int code = EXIT_OK;
	struct sk_buf csv = SK_BUF_INIT;
	struct sk_simulate_stats st = { 0 };
	int rc = sk_keys_load(cli->db, cli->key_path);
	if (rc) {
		cli_error("%s", sk_db_errmsg(cli->db));
		code = EXIT_FAIL;
	} else if ((rc = sk_simulate_responses(cli->db, sitting, &so, &csv, &st))) {
		code = cli_db_error(cli, rc, NULL);
	} else if ((code = cli_write_output(out, csv.buf, csv.len)) == EXIT_OK) {
		printf(_("wrote %zu answer sheets of %s to %s (%zu of %zu candidates absent)\n"), st.sheets, sitting, out,
		       st.absent, st.registrations);
		if (copiers || sharers) {
			struct sk_buf list = SK_BUF_INIT;
			const char *head[] = { "copier", "source", "kind" };
			sk_csv_put_row(&list, head, 3);
			for (size_t i = 0; i < st.nplanted; i++) {
				const char *row[] = { st.planted[i].copier, st.planted[i].source,
						      st.planted[i].kind == SK_PLANTED_LETTERS ? "letters" : "answers" };
				sk_csv_put_row(&list, row, 3);
			}
			printf(_("planted %zu copying pairs (asked for %llu)\n"), st.nplanted, copiers + sharers);
			if (planted)
				code = sk_buf_failed(&list) ? EXIT_FAIL : cli_write_output(planted, list.buf, list.len);
			sk_buf_release(&list);
		}
	}
	free(st.planted);
	sk_buf_release(&csv);
	sk_db_close(cli->db);
	cli->db = NULL;
	return code;
}

int cmd_generate(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "responses")) {
		if (cli_wants_help(argc, argv)) {
			cli_usage(stdout, usage_responses);
			return EXIT_OK;
		}
		return gen_responses(cli, argc - 1, argv + 1);
	}
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		fputc('\n', stdout);
		cli_usage(stdout, usage_responses);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "candidates"))
		return cli_bad_usage(usage, "%s", _("say what to generate: candidates or responses"));
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },    { "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },   { "year", required_argument, NULL, 'y' },
		{ "photos", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	unsigned long long count = 100, seed = 1, year = 2026, photos = 0;
	optind = 0;
	opterr = 0;
	int c;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'o': out = optarg; break;
		case 'n': bad = parse_count(optarg, 10000000, &count); break;
		case 's': bad = parse_count(optarg, ~0ULL, &seed); break;
		case 'y': bad = parse_count(optarg, 2199, &year) || year < 1950; break;
		case 'p': bad = parse_count(optarg, 10000000, &photos); break;
		case ':':
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
		if (bad)
			return cli_bad_usage(usage, _("'%s' is not a valid number here"), optarg);
	}
	if (optind < argc)
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);
	if (!out)
		return cli_bad_usage(usage, "%s", _("give --out FILE.csv"));
	char *photo_dir = NULL;
	if (photos) {
		char *dir = sk_path_dirname(out);
		photo_dir = dir ? sk_path_join(dir, "photos") : NULL;
		free(dir);
		if (!photo_dir)
			return EXIT_FAIL;
	}
	char err[512] = "";
	int rc = sk_synth_write_candidates(out, seed, count, (int)year, photo_dir, photos, err, sizeof(err));
	if (rc) {
		cli_error("%s", err[0] ? err : sk_strerror(rc));
		free(photo_dir);
		return EXIT_FAIL;
	}
	printf(_("wrote %llu candidates to %s"), count, out);
	if (photos)
		printf(_(" (%llu photos in %s)"), photos < count ? photos : count, photo_dir);
	putchar('\n');
	free(photo_dir);
	return EXIT_OK;
}
