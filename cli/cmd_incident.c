/* PLACEHOLDER — replaced by the helper building incidents. Must not land. */
#include "cli/cli.h"
#include <stdio.h>
const struct subcmd incident_subs[] = { { NULL, NULL, NULL } };
int cmd_incident(struct cli *cli, int argc, char **argv) { (void)cli; (void)argc; (void)argv; fputs("not built yet\n", stderr); return EXIT_FAIL; }
