/* evtsource: one interface over every place records come from (a .evt file,
 * the live Windows log, a buffer in a test). A source yields decoded
 * records newest first, so a time window can stop reading once it is
 * passed. Sources never print or exit: they explain problems in `error`. */
#ifndef KMS_EVTSOURCE_H
#define KMS_EVTSOURCE_H

#include "evt.h"

enum evt_next {
	EVT_NEXT_ERROR = -1, /* error says what and where; no more records */
	EVT_NEXT_END = 0,    /* every record has been returned */
	EVT_NEXT_RECORD = 1  /* *rec is valid until the next call */
};

struct evt_source;

struct evt_source_ops {
	enum evt_next (*next)(struct evt_source *src, struct evt_record *rec);
	void (*close)(struct evt_source *src);
};

struct evt_source {
	const struct evt_source_ops *ops;
	char name[520];   /* for messages: "'/logs/app.evt'", "the Application log on HOST" */
	char note[1024];  /* a remark worth showing (a dirty log was recovered); "" when none */
	char error[1024]; /* set when next() returns EVT_NEXT_ERROR */
};

static inline enum evt_next evt_source_next(struct evt_source *src, struct evt_record *rec)
{
	return src->ops->next(src, rec);
}

/* Release the source (NULL is fine). */
static inline void evt_source_close(struct evt_source *src)
{
	if (src)
		src->ops->close(src);
}

#endif
