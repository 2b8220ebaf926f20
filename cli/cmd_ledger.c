/* PLACEHOLDER — replaced by the helper building the ledger. Must not land. */
#include "cli/cli.h"
#include <stdio.h>
const struct subcmd ledger_subs[] = { { NULL, NULL, NULL } };
int cmd_ledger(struct cli *cli, int argc, char **argv) { (void)cli; (void)argc; (void)argv; fputs("not built yet\n", stderr); return EXIT_FAIL; }
