// libcups for Swift. Debian 12's libcups2-dev ships no cups.pc, so the module map links "cups" itself.
#include <cups/cups.h>
#include <cups/ipp.h>

// Macros Swift cannot see as typed values.
static inline const char *CCUPS_format_raw(void) { return CUPS_FORMAT_RAW; }
static inline int CCUPS_whichjobs_all(void) { return CUPS_WHICHJOBS_ALL; }
