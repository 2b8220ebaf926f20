/*
 * Venues (試験会場) and their rooms. A room has a seat grid of rows x
 * columns; seats are labelled by row letter and column number ("C-07").
 * Venues come from `venue add` or a CSV with one row per room. A room that
 * already holds registrations cannot be resized.
 */
#ifndef SK_VENUE_H
#define SK_VENUE_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_room {
	int64_t id;
	char code[24];
	int rows, cols;
};

struct sk_venue {
	int64_t id;
	char code[40];
	char name[256];
	char country[3];
	char city[128];
	char address[512];
	size_t nrooms;
	struct sk_room rooms[64];
};

struct sk_db;

/* Create a venue, or update the one with the same code (adding or resizing
 * rooms, changing its name or address). A new venue needs a room; an update
 * may give none, since rooms are never removed. A room is not shrunk under
 * registered candidates: then nothing of the change is made (SK_EINPUT).
 * *outcome: 0 unchanged, 1 added, 2 updated. Validation problems go to rep
 * as "field: reason" (no file). */
int sk_venue_save(struct sk_db *db, const struct sk_venue *v, int *outcome,
		  struct sk_report *rep);

/* Import venues: columns venue, name, country, city, address, room, rows,
 * columns. */
int sk_venue_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		    struct sk_import_stats *stats, struct sk_report *rep);

int sk_venue_get(struct sk_db *db, const char *code, struct sk_venue *out);
int sk_venue_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_venue *v),
		     void *payload);

/* Seat label "C-07" for 1-based row and column, into out[16]. Rows past Z
 * continue AA, AB, ... */
char *sk_seat_label(char out[16], int row, int col);

/* Parse "A:8x10" (room code, rows, columns) into a room; 0 or SK_EINPUT. */
int sk_room_parse(struct sk_room *out, const char *spec);

#endif
