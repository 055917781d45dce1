/* eventsink: where the restart handler records each action and refusal: the
 * Application event log under its own source (ReportEventW), and, when a
 * log file is given, one line per record there too ("<UTC time> <source>
 * <LEVEL> <id>: <text>"): Wine stores no events, and some admins want a
 * file. Each id is written with the severity bits of its message in the
 * suite's message table (kmsmsg.mc), so Event Viewer finds its text.
 * Windows: eventsink_win32.c; elsewhere (eventsink_posix.c) there is no
 * event log and a sink records nothing. Never prints, never exits. */
#ifndef KMS_EVENTSINK_H
#define KMS_EVENTSINK_H

#include <stdbool.h>
#include <stddef.h>

enum eventsink_level { EVENTSINK_INFO, EVENTSINK_WARNING, EVENTSINK_ERROR };

struct eventsink;

/* Register `source` with the event log and open log_file (NULL: none) for
 * appending. NULL with err when the log file cannot be opened; an event log
 * that refuses the source is not an error (the file alone is written). */
struct eventsink *eventsink_open(const char *source, const char *log_file, char *err, size_t errcap);

/* Record text under event id. False when nothing could be written. */
bool eventsink_write(struct eventsink *sink, enum eventsink_level level, unsigned id, const char *text);

void eventsink_close(struct eventsink *sink);

/* The event id written for id: the message table's id (severity bits
 * included) whose low 16 bits are id; id itself when the table has none. */
unsigned long eventsink_event_id(unsigned id);

#endif
