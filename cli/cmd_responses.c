/* PLACEHOLDER — replaced by the helper building responses import. Must not land. */
#include "cli/cli.h"
#include <stdio.h>
static int todo(struct cli *cli, int argc, char **argv) { (void)cli; (void)argc; (void)argv; fputs("not built yet\n", stderr); return EXIT_FAIL; }
const struct subcmd responses_subs[] = { { NULL, NULL, NULL } };
const struct subcmd scores_subs[] = { { NULL, NULL, NULL } };
int cmd_responses(struct cli *cli, int argc, char **argv) { return todo(cli, argc, argv); }
int cmd_scores(struct cli *cli, int argc, char **argv) { return todo(cli, argc, argv); }
