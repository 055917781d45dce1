/* kms_restore_paused: kms_restore itself, built for the tests with a pause
 * at one step, so t_kms_restore.sh can SIGKILL it there and prove the state
 * it leaves. KMS_RESTORE_PAUSE_AT names the step (stopped, copied, ready,
 * moved, swapped); on reaching it the program writes the step's name to
 * KMS_RESTORE_PAUSE_FILE and sleeps (at most 60 s) until it is killed, or
 * goes on when the test removes that file (having changed the folders).
 * The installed kms_restore never sets the hook. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kmsrestore.h"

int kms_restore_main(int argc, char **argv);

#define main kms_restore_main
#include "../../plugins/kms_restore.c"
#undef main

static void pause_at(const char *step)
{
	const char *want = getenv("KMS_RESTORE_PAUSE_AT");
	const char *file = getenv("KMS_RESTORE_PAUSE_FILE");
	if (!want || strcmp(want, step) != 0)
		return;
	FILE *f = file ? fopen(file, "w") : NULL;
	if (f) {
		fprintf(f, "%s\n", step);
		fclose(f);
	}
	struct timespec tenth = {0, 100000000L};
	for (int i = 0; i < 600 && file && access(file, F_OK) == 0; i++)
		nanosleep(&tenth, NULL);
}

int main(int argc, char **argv)
{
	kmsrestore_set_step_hook(pause_at);
	return kms_restore_main(argc, argv);
}
