/* groups.c - see groups.h. */
#define _POSIX_C_SOURCE 200809L
#include "groups.h"

#include <string.h>

void groups_read(group_table *g, const char *path)
{
    memset(g, 0, sizeof *g);
    tsv_table *f = &g->file;
    if (tsv_read(f, path)) stats_die("%s: no groups table", path);
    int cg = tsv_col(f, "group"), cx = tsv_col(f, "x"), cr = tsv_col(f, "role");
    if (cg < 0 || cx < 0 || cr < 0) stats_die("%s: want columns group, x and role", path);
    const char *const single[] = {"main", "slope", "matched", "feedback"};
    const char **slot[] = {&g->main, &g->slope, &g->matched, &g->feedback};
    for (size_t i = 0; i < f->nrow; i++) {
        const char *name = f->row[i][cg];
        char *roles = f->row[i][cr];
        for (char *save = NULL, *r = strtok_r(roles, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
            size_t k = 0;
            while (k < 4 && strcmp(r, single[k])) k++;
            if (k < 4) {
                if (*slot[k]) stats_die("%s:%zu: role %s: group %s plays it already", path, f->line[i], r, *slot[k]);
                *slot[k] = name;
            } else if (!strcmp(r, "sweep") || !strcmp(r, "trend")) {
                size_t *n = r[0] == 's' ? &g->nsweep : &g->ntrend;
                if (*n == GROUPS_MAX) stats_die("%s:%zu: more than %d groups with role %s", path, f->line[i], GROUPS_MAX, r);
                if (r[0] == 's') g->sweep_x[*n] = f->row[i][cx], g->sweep[(*n)++] = name;
                else g->trend[(*n)++] = name;
            } else if (strcmp(r, "-")) {
                stats_die("%s:%zu: role '%s': want main, slope, matched, feedback, sweep, trend or -", path, f->line[i], r);
            }
        }
    }
    for (size_t k = 0; k < 4; k++)
        if (!*slot[k]) stats_die("%s: no group has the role %s", path, single[k]);
}

void groups_free(group_table *g)
{
    tsv_free(&g->file);
    memset(g, 0, sizeof *g);
}
