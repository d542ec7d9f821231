/* main.c - the stele command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "stele.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: stele COMMAND [OPTIONS]\n");
		return 2;
	}
	fprintf(stderr, "stele: unknown command \"%s\"\n", argv[1]);
	return 2;
}
