/*
 * serve.c - `stele serve`: the server process (src/server/README.md).
 *
 *     stele serve --data ROOT [--http HOST:PORT|off] [--pg HOST:PORT|off]
 *                 [--config FILE] [--tls-cert PEM --tls-key PEM] [--insecure]
 *                 [--sync always|interval=Nms|none] [--OPTION VALUE]...
 *
 * Every option is also a config-file key; the command line wins over the
 * file, whatever their order.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "server/server.h"

static const char usage[] =
	"usage: stele serve --data ROOT [--http HOST:PORT|off] [--pg HOST:PORT|off]\n"
	"                   [--config FILE] [--tls-cert PEM --tls-key PEM] [--insecure]\n"
	"                   [--sync always|interval=Nms|none] [--memtable BYTES]\n"
	"                   [--max-series N] [--statement-timeout DURATION]\n"
	"                   [--query-memory BYTES] [--query-threads N] [--max-body BYTES]\n"
	"                   [--max-line BYTES] [--max-connections N]\n"
	"                   [--idle-timeout DURATION] [--workers N] [--max-pending BYTES]\n"
	"\n"
	"defaults: --http [::]:8086 --pg [::]:5432 --sync always --max-body 256M\n"
	"--max-line 1M --max-connections 1000 --idle-timeout 300s --workers 2 per CPU\n"
	"(at least 4) --max-pending 1G --query-memory 1G; no statement timeout.\n"
	"Without --insecure the server needs a token (stele token create); with it,\n"
	"it listens on loopback only and asks for none.\n";

int cmd_serve(int argc, char **argv)
{
	SrvConfig c;
	srv_config_init(&c);
	StErr err = {0};
	/* The config file first, so that the command line wins. */
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		bool bad = false;
		if (cli_opt(argc, argv, &i, "--config", &v, &bad)) {
			if (bad)
				return EXIT_USAGE;
			if (srv_config_file(&c, v, &err) != STELE_OK)
				return cli_fail("serve", EXIT_USAGE, "%s", err.msg);
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--insecure")) {
			c.insecure = true;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			fprintf(stderr, "stele serve: unexpected argument \"%s\"\n\n%s", a, usage);
			return EXIT_USAGE;
		}
		char name[64];
		const char *eq = strchr(a + 2, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (n >= sizeof name) {
			fprintf(stderr, "stele serve: unknown option \"%s\"\n\n%s", a, usage);
			return EXIT_USAGE;
		}
		memcpy(name, a + 2, n);
		name[n] = '\0';
		const char *v;
		if (eq) {
			v = eq + 1;
		} else if (i + 1 < argc) {
			v = argv[++i];
		} else {
			fprintf(stderr, "stele serve: option --%s needs a value\n", name);
			return EXIT_USAGE;
		}
		if (!strcmp(name, "config"))
			continue;
		if (srv_config_set(&c, name, v, &err) != STELE_OK)
			return cli_fail("serve", EXIT_USAGE, "--%s: %s", name, err.msg);
	}
	if (!c.data[0]) {
		fprintf(stderr, "stele serve: --data ROOT is required\n\n%s", usage);
		return EXIT_USAGE;
	}
	if (srv_run(&c, &err) != STELE_OK)
		return cli_fail("serve", EXIT_FAILED, "%s", err.msg);
	return 0;
}
