/* main.c - the stele command: dispatches to its subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"

static const char usage[] =
	"usage: stele COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  import   --db PATH [--precision ns|us|ms|s] [--sync always|interval=Nms|none]\n"
	"           [--memtable BYTES] [--batch BYTES] [--max-series N] [--progress]\n"
	"           [--recover] FILE...\n"
	"                                                      load line protocol ('-' is stdin)\n"
	"  dump     --db PATH --table T [--from TS] [--to TS] [--recover]\n"
	"                                                      write rows back as line protocol\n"
	"  stats    --db PATH [--json] [--recover]             tables, series, rows, bytes, codecs\n"
	"  sql      --db PATH [--format table|csv|json] [--echo] [--read-only]\n"
	"           [-f FILE | STATEMENT]                      run SQL; no statement: a shell\n"
	"\n"
	"--recover opens a database whose WAL is damaged before its tail by skipping the\n"
	"damaged records (each is reported); without it such a database does not open.\n"
	"  inspect  FILE...                                    show a WAL, segment, manifest or\n"
	"                                                      series file's structure\n"
	"  serve    --data ROOT [--http ADDR] [--pg ADDR] [--config FILE] [--insecure] ...\n"
	"                                                      the server (stele serve --help)\n"
	"  token    create --data ROOT --name NAME [--read DB]... [--write DB]... [--admin]\n"
	"                                                      a new access token for the server\n"
	"\n"
	"exit status: 0 ok, 1 some lines rejected, 2 usage error, 3 failure\n";

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *bad)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=') {
		*value = a + n + 1;
		return true;
	}
	if (a[n] != '\0')
		return false;
	if (*i + 1 >= argc) {
		fprintf(stderr, "stele: option %s needs a value\n", name);
		*bad = true;
		return true;
	}
	*value = argv[++*i];
	return true;
}

int cli_fail(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "stele %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

/* The soft limit on open files up to the hard one, as servers do: segments
 * keep their files open up to half the soft limit (storage/segment.h), and
 * the server's connections need their own. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Allocations of 1 MiB and more get their own mappings, returned to the
 * system when freed. glibc's default threshold starts at 128 KiB and rises
 * to the size of each large block freed, up to 32 MiB, after which the
 * parser's, flush's and compaction's buffers come from the heaps of their
 * threads and stay resident once freed: an import of 1,000 hosts x 1 day
 * peaked at 320 to 410 MiB, with this at 175 to 180 MiB, in the same time
 * (DESIGN.md, "Write path"). A program that embeds libstele chooses its own
 * allocator settings; the library sets none. */
static void fix_malloc_threshold(void)
{
#ifdef __GLIBC__
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

int main(int argc, char **argv)
{
	raise_nofile();
	fix_malloc_threshold();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {{"import", cmd_import},
	            {"dump", cmd_dump},
	            {"stats", cmd_stats},
	            {"inspect", cmd_inspect},
	            {"sql", cmd_sql},
	            {"serve", cmd_serve},
	            {"token", cmd_token}};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "stele: unknown command \"%s\"\n\n%s", argv[1], usage);
	return EXIT_USAGE;
}
