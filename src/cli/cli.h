/*
 * cli.h - what the stele subcommands share: option parsing and exit codes.
 *
 * Exit codes: 0 success; 1 the command ran but some input was rejected (the
 * rest was processed); 2 usage error; 3 failure (the message says why).
 */
#ifndef STELE_CLI_H
#define STELE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "stele.h"

enum { EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

/* If argv[*i] is `--name VALUE` or `--name=VALUE`, stores VALUE, advances
 * *i past it and returns true. A missing value is a usage error: *bad. */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *bad);

/* Prints "stele CMD: message" to stderr and returns code. */
int cli_fail(const char *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int cmd_import(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_sql(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);

#endif
