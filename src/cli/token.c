/*
 * token.c - `stele token create`: a new access token for `stele serve`
 * (src/server/auth.h). The secret is printed once; only its hashes are
 * stored, in ROOT/.tokens.
 *
 *     stele token create --data ROOT --name NAME [--read DB]... [--write DB]...
 *                        [--admin]
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>

#include "cli/cli.h"
#include "server/auth.h"

#define MAX_DBS 64

static const char usage[] =
	"usage: stele token create --data ROOT --name NAME [--read DB]... [--write DB]...\n"
	"                          [--admin]\n"
	"DB is a database name or '*' for every database; --admin may do everything.\n"
	"The token is printed once; keep it: only its hash is stored.\n";

int cmd_token(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			fputs(usage, stdout);
			return 0;
		}
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	const char *data = NULL, *name = NULL;
	const char *rd[MAX_DBS], *wr[MAX_DBS];
	uint32_t nr = 0, nw = 0;
	bool admin = false, bad = false;
	for (int i = 2; i < argc && !bad; i++) {
		const char *v;
		if (cli_opt(argc, argv, &i, "--data", &v, &bad))
			data = v;
		else if (cli_opt(argc, argv, &i, "--name", &v, &bad))
			name = v;
		else if (cli_opt(argc, argv, &i, "--read", &v, &bad)) {
			if (nr == MAX_DBS)
				return cli_fail("token", EXIT_USAGE, "at most %d --read options", MAX_DBS);
			rd[nr++] = v;
		} else if (cli_opt(argc, argv, &i, "--write", &v, &bad)) {
			if (nw == MAX_DBS)
				return cli_fail("token", EXIT_USAGE, "at most %d --write options", MAX_DBS);
			wr[nw++] = v;
		} else if (!strcmp(argv[i], "--admin"))
			admin = true;
		else {
			fprintf(stderr, "stele token: unknown option \"%s\"\n\n%s", argv[i], usage);
			return EXIT_USAGE;
		}
	}
	if (bad)
		return EXIT_USAGE;
	if (!data || !name) {
		fprintf(stderr, "stele token: --data and --name are required\n\n%s", usage);
		return EXIT_USAGE;
	}
	if (!admin && nr == 0 && nw == 0)
		return cli_fail("token", EXIT_USAGE,
		                "a token needs --read, --write or --admin, or it may do nothing");
	char secret[AUTH_SECRET_MAX];
	StErr err = {0};
	if (mkdir(data, 0755) != 0 && errno != EEXIST)
		return cli_fail("token", EXIT_FAILED, "could not create \"%s\": %s", data,
		                strerror(errno));
	if (auth_create(data, name, rd, nr, wr, nw, admin, secret, &err) != STELE_OK)
		return cli_fail("token", EXIT_FAILED, "%s", err.msg);
	printf("%s\n", secret);
	fprintf(stderr, "token \"%s\" created; it is shown only now\n", name);
	return 0;
}
