/*
 * Incidents: what a proctor recorded about a candidate at a sitting —
 * cheating, impersonation, disruption or something else — and whether it
 * disqualifies them. Grading (exam/grade.h) makes the result of a
 * registration with a disqualifying incident 'disqualified' whatever was
 * scored; an incident recorded after grading takes effect when the sitting
 * is graded again.
 *
 * Incidents are kept forever (core/sql/0005); each one added is audited
 * (entity "incident", key the exam number, action "create").
 */
#ifndef SK_INCIDENT_H
#define SK_INCIDENT_H

#include "core/report.h"

#include <stddef.h>
#include <stdint.h>

struct sk_db;

#define SK_INCIDENT_NOTE_MAX 500   /* characters */
#define SK_INCIDENT_PROCTOR_MAX 100

struct sk_incident {
	int64_t id;
	char exam_number[16];
	char sitting[40];
	char exam_date[11];
	char test[16];
	char reference[40];
	char family_name[128], given_name[128];
	char room[24], seat[16];
	char kind[16];           /* cheating, impersonation, disruption, other */
	int disqualify;
	char note[4 * SK_INCIDENT_NOTE_MAX + 1];
	char proctor[4 * SK_INCIDENT_PROCTOR_MAX + 1];
	char created_at[24];
	char outcome[16];        /* the registration's stored result, "pending" before grading */
};

/* Non-zero if kind is one the registry knows. */
int sk_incident_kind_valid(const char *kind);

/* Record an incident for the registration with this exam number (typed
 * with or without hyphens, full-width digits too; the check digit is
 * verified). note (<= 500 characters) and proctor (<= 100) are required
 * free text: no control characters, not starting with '=', '+' or '@'.
 * Errors: SK_EINPUT with every problem in rep (field exam_number, kind,
 * note or proctor), SK_ENOTFOUND (no such registration) and SK_ECONFLICT
 * (the registration is cancelled) recorded on db.
 * The same incident recorded again (same registration, kind, disqualify,
 * note and proctor) changes nothing: *out_added is 0 then, 1 when
 * recorded. out (may be NULL) receives the incident as stored. */
int sk_incident_add(int *out_added, struct sk_incident *out, struct sk_db *db, const char *exam_number,
		    const char *kind, int disqualify, const char *note, const char *proctor,
		    struct sk_report *rep);

struct sk_incident_filter {
	const char *sitting;     /* code, or NULL */
	const char *exam_number; /* canonical, or NULL */
};

/* Call cb for each incident, ordered by exam date, sitting, exam number
 * and the order they were recorded in. A non-zero return from cb stops and
 * is returned. SK_ENOTFOUND when filter->sitting names no sitting. */
int sk_incident_foreach(struct sk_db *db, const struct sk_incident_filter *filter,
			int (*cb)(void *payload, const struct sk_incident *i), void *payload);

#endif
