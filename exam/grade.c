/* PLACEHOLDER — replaced by the helper building grading. Must not land. */
#include "exam/grade.h"
int sk_grade_placeholder_(void);
int sk_grade_placeholder_(void) { return 0; }
