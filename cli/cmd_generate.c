/* shiken generate candidates: synthetic sample data. */
#include "cli/cli.h"
#include "core/error.h"
#include "core/import.h"
#include "core/synth.h"

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

static int parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int cmd_generate(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "candidates"))
		return cli_bad_usage(usage, "%s", _("say what to generate: candidates"));
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
