/* cli.h - what every command of the credit CLI shares: building a config
 * from `[CONFIG] key=value ...`, opening a session, reporting an error. */
#ifndef CREDIT_CLI_H
#define CREDIT_CLI_H

#include "session.h"

/* Exit statuses besides 0 and 1 (an error). */
enum { CREDIT_EXIT_USAGE = 2, CREDIT_EXIT_DIVERGED = 3 };

/* Prints "credit: <last error>" on stderr; returns the exit status for st. */
int credit_cli_fail(int st);
/* 1 if --help or -h is among the arguments. */
int credit_cli_wants_help(int argc, char **argv);
/* Config, then a session; s is closable whatever happens. */
int credit_cli_open_session(credit_session *s, int argc, char **argv);

/* Commands that live in their own modules (core/sample.c, core/cmd_curvature.c);
 * each returns the process exit status. Weak: the CLI offers a command only
 * when its module is linked in. */
__attribute__((weak)) int credit_cmd_sample(int argc, char **argv);
__attribute__((weak)) int credit_cmd_curvature(int argc, char **argv);

#endif
