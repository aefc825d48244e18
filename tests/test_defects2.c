/* test_defects2.c - the second hostile test's defects (issue 22) that live
 * outside the pipeline test: the raw-run reader's numbers (N2). */
#define _GNU_SOURCE
#include "test.h"
#include "../figures/tsv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the trainer writes is a number; a prefix, blanks, hex or words it
 * never writes are not. */
static void test_numbers(void)
{
    const char *good[] = {"0.96789999999999998", "-3", "1e-05", "2.5807476e+10", "6.7078194e+198", "0", "10000", "nan", "-nan", "inf", "-inf"};
    const char *bad[] = {"0.96789999999999998junk", "", " 1", "1 ", "0x1p3", "infinity", "nanx", "1.5.2e", "e", "-", "abc", "1,5"};
    int ok = 1;
    double v;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (tsv_parse_num(good[i], &v)) ok = CHECK(0, "N2: the reader takes every number the trainer writes", "'%s' refused", good[i]);
    if (ok) CHECK(1, "N2: the reader takes every number the trainer writes", "%s", "");
    ok = 1;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!tsv_parse_num(bad[i], &v)) ok = CHECK(0, "N2: the reader refuses a field that is not wholly a number", "'%s' taken as %g", bad[i], v);
    if (ok) CHECK(1, "N2: the reader refuses a field that is not wholly a number", "%s", "");
    CHECK(tsv_parse_num("-inf", &v) == 0 && isinf(v) && v < 0 && tsv_parse_num("nan", &v) == 0 && isnan(v) && isnan(tsv_num("1junk")),
          "N2: nan and -inf read as themselves; tsv_num of junk is NaN, not its prefix", "%g", v);
}

void test_defects2(void)
{
    test_numbers();
}
