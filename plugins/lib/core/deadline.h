/* deadline: every program ends within its timeout, even while blocked in a
 * system call, printing "KMS_<NAME> <STATE> - timed out after N s".
 * POSIX: SIGALRM with an async-signal-safe handler; Windows: a timer thread. */
#ifndef KMS_DEADLINE_H
#define KMS_DEADLINE_H

#include "plugin.h"

/* Milliseconds in a second: deadlines and waits are in ms, options in s. */
#define MS_PER_SECOND 1000

/* Arm the deadline: after `seconds`, print the timeout line for the current
 * plugin name (plugin_set_name) and exit with `state`. 0 disarms. */
void deadline_start(unsigned seconds, plugin_state state);

/* Disarm (the output module does it before printing the answer). */
void deadline_cancel(void);

/* Milliseconds left before the deadline fires; a large number when unarmed.
 * Bounded waits use it so they give up before the deadline kills them. */
long deadline_remaining_ms(void);

#endif
