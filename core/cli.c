/* cli.c - what every command of the credit CLI shares. */
#include "cli.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int credit_cli_fail(int st)
{
    fprintf(stderr, "credit: %s\n", *credit_error_message() ? credit_error_message() : "unknown error");
    if (getenv("CREDIT_DEBUG")) fprintf(stderr, "credit: (raised at %s)\n", credit_error_where());
    return st == CREDIT_EDIVERGED ? CREDIT_EXIT_DIVERGED : 1;
}

int credit_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

/* A config from [CONFIG] key=value ...: CONFIG is optional (an argument
 * without '=' first is the file; later key=value pairs override it). */
static int build_config(credit_config *cfg, int argc, char **argv)
{
    int st = CREDIT_OK;
    for (int i = 0; i < argc && !st; i++) {
        if (strchr(argv[i], '=')) st = credit_config_assign(cfg, argv[i]);
        else if (i == 0) st = credit_config_read(cfg, argv[i]);
        else st = CREDIT_ERROR(CREDIT_EINVAL, "command line: expected key=value, got '%s'", argv[i]);
    }
    return st;
}

int credit_cli_open_session(credit_session *s, int argc, char **argv)
{
    credit_config cfg = {0};
    memset(s, 0, sizeof *s); /* closable even if opening fails early */
    int st = build_config(&cfg, argc, argv);
    if (!st) st = credit_session_open(s, &cfg);
    credit_config_free(&cfg);
    return st;
}

