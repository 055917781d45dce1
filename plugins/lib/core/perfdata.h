/* perfdata: one performance data item, 'label'=value[UOM];[warn];[crit];[min];[max],
 * with the label quoted when it must be and thresholds written back as ranges. */
#ifndef KMS_PERFDATA_H
#define KMS_PERFDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"

struct perfdata {
	const char *label;
	double value;
	const char *uom;          /* "", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c" */
	const struct range *warn; /* NULL or unset: empty field */
	const struct range *crit;
	bool has_min, has_max;
	double min, max;
};

/* True for the units of measure the plugin guidelines allow. */
bool perfdata_uom_valid(const char *uom);

/* Format p into buf. Returns the length, or 0 when p is invalid (no label,
 * a unit the guidelines do not know, a non-finite value) or does not fit. */
size_t perfdata_format(char *buf, size_t cap, const struct perfdata *p);

#endif
