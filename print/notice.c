/* PLACEHOLDER — replaced by the helper building result notices. Must not land. */
#include "print/print.h"
int sk_notice_placeholder_(void);
int sk_notice_placeholder_(void) { return 0; }
