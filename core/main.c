/* main.c - the credit command line. */
#define _GNU_SOURCE
#include "blas.h"
#include "config.h"
#include "plugin.h"
#include "session.h"
#include "train.h"
#include "util.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The commands, in the order `credit --help` lists them. run is NULL for a
 * command whose module is not linked in (credit_cmd_* are weak). */
typedef struct credit_command {
    const char *name, *args, *summary;
    int (*run)(int argc, char **argv);
} credit_command;

static int cmd_train(int argc, char **argv);
static int cmd_grad(int argc, char **argv);
static int cmd_plugins(int argc, char **argv);
static int cmd_keys(int argc, char **argv);
static int cmd_config(int argc, char **argv);

static const credit_command commands[] = {
    {"train", "[CONFIG] [key=value ...]", "one training run into out=DIR", cmd_train},
    {"grad", "[CONFIG] weights=FILE [...]", "a rule's estimate beside the exact gradient, as TSV", cmd_grad},
    {"plugins", "[list | describe NAME]", "the rules and tasks on the search path", cmd_plugins},
    {"curvature", "RUN_DIR [key=value ...]", "top Hessian eigenvalues, gamma, cosine of a saved run", credit_cmd_curvature},
    {"sample", "TASK [key=value ...]", "a few trials of a task (inputs, targets, masks) as TSV", credit_cmd_sample},
    {"keys", "", "every core config key with its default", cmd_keys},
    {"config", "[CONFIG] [key=value ...]", "the resolved config, as a run's config.txt holds it", cmd_config},
};

static void usage(FILE *fp)
{
    fputs("usage: credit COMMAND [ARGS]\n"
          "\n"
          "Train small recurrent networks with pluggable temporal credit-assignment\n"
          "rules and measure how they generalise.\n"
          "\n"
          "commands:\n",
          fp);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s %s", commands[i].name, commands[i].args);
        fprintf(fp, "  %-34s%s\n", head, commands[i].summary);
    }
    fputs("\n"
          "`credit COMMAND --help` explains one command. Exit status: 0 done, 1 error,\n"
          "2 usage, 3 the run diverged (recorded in its metrics.tsv).\n",
          fp);
}

static const char *train_help =
    "usage: credit train [CONFIG] [key=value ...]\n"
    "\n"
    "Trains one network: the rule, task, sizes and schedule come from CONFIG (a\n"
    "`key = value` file with # comments) and the overrides after it. Writes into\n"
    "the directory out=DIR: config.txt, curve.tsv, checkpoint.bin, weights.tsv and,\n"
    "last, metrics.tsv. resume=1 continues a killed run from its checkpoint (and\n"
    "finishes one killed after its final checkpoint); resume=auto does the same\n"
    "but restarts a directory that cannot be continued, saying why on one line\n"
    "`restart DIR: WHY`. A lock file DIR/.lock keeps a second process out.\n"
    "Keys: `credit keys`, and `credit plugins describe NAME` for a plugin's own.\n";

static const char *grad_help =
    "usage: credit grad [CONFIG] [weights=FILE] [key=value ...]\n"
    "\n"
    "On the first `batch` training examples, prints the task loss, the rule's\n"
    "estimate and the exact (BPTT) gradient of every parameter, and their cosine\n"
    "per matrix, as TSV on stdout. Without weights=FILE the seeded initial\n"
    "weights are used. The L2 term is left out of both (it is exact for every rule).\n"
    "A stateful rule (kp, nodepert) has the state its init gives at these weights:\n"
    "the state a training run learned is in its checkpoint, which grad does not read.\n";

static const char *plugins_help =
    "usage: credit plugins [list | describe NAME]\n"
    "\n"
    "Lists the rule and task plugins found along $CREDIT_RULE_PATH and\n"
    "$CREDIT_TASK_PATH, then rules/ and tasks/ beside bin/; `describe` prints a\n"
    "plugin's version, summary, citation and config keys.\n";

static const char *config_help =
    "usage: credit config [CONFIG] [key=value ...]\n"
    "\n"
    "Prints the config that `credit train` with the same arguments would run and\n"
    "record: its config.txt, byte for byte (the provenance lines, then every key\n"
    "of the core, the rule and the task, defaults filled in, numbers canonical,\n"
    "under the section lines `# core`, `# rule NAME`, `# task NAME`; a section\n"
    "without keys has no line). It opens the run as train does (plugins, the\n"
    "task's data, weights=FILE), so every key, value and file is checked with\n"
    "train's messages; it trains nothing and writes no file.\n"
    "\n"
    "credit config --given [CONFIG] [key=value ...] prints the config as given\n"
    "instead: CONFIG's keys, then the overrides (a later value wins, a key keeps\n"
    "the place of its first occurrence), one `key = value` line each, nothing\n"
    "resolved (figures/runkey.sh composes a run's key with it).\n";

/* The config as given, by the core's reader (core/config.c): the arguments
 * as build_config (cli.c) takes them. */
static int print_given(int argc, char **argv)
{
    credit_config cfg = {0};
    int st = CREDIT_OK;
    for (int i = 0; i < argc && !st; i++) {
        if (strchr(argv[i], '=')) st = credit_config_assign(&cfg, argv[i]);
        else if (i == 0) st = credit_config_read(&cfg, argv[i]);
        else st = CREDIT_ERROR(CREDIT_EINVAL, "command line: expected key=value, got '%s'", argv[i]);
    }
    for (size_t i = 0; !st && i < cfg.n; i++) printf("%s = %s\n", cfg.e[i].key, cfg.e[i].value);
    if (!st && (fflush(stdout) || ferror(stdout))) st = CREDIT_ERROR(CREDIT_EIO, "cannot write the config to stdout");
    credit_config_free(&cfg);
    return st ? credit_cli_fail(st) : 0;
}

/* config.txt is what train.c's write_config writes: the session's
 * provenance, then its resolved config text (credit_config_write). */
static int cmd_config(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(config_help, stdout); return 0; }
    if (argc > 0 && !strcmp(argv[0], "--given")) return print_given(argc - 1, argv + 1);
    credit_session s;
    int st = credit_cli_open_session(&s, argc, argv);
    if (!st) {
        credit_session_provenance(&s, stdout);
        fputs(s.config_text, stdout);
        if (fflush(stdout) || ferror(stdout)) st = CREDIT_ERROR(CREDIT_EIO, "cannot write the config to stdout");
    }
    int rc = st ? credit_cli_fail(st) : 0;
    credit_session_close(&s);
    return rc;
}

static int cmd_train(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(train_help, stdout); return 0; }
    credit_session s;
    int st = credit_cli_open_session(&s, argc, argv);
    if (!st) st = credit_train(&s);
    int rc = st ? credit_cli_fail(st) : 0;
    credit_session_close(&s);
    return rc;
}

static int cmd_grad(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(grad_help, stdout); return 0; }
    credit_session s;
    int st = credit_cli_open_session(&s, argc, argv);
    if (!st) st = credit_grad_report(&s, stdout);
    int rc = st ? credit_cli_fail(st) : 0;
    credit_session_close(&s);
    return rc;
}

static void print_options(const credit_option *o, size_t n)
{
    for (size_t i = 0; i < n; i++) credit_option_describe(stdout, &o[i]);
}

static int cmd_keys(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("core keys:\n");
    print_options(credit_core_options, credit_core_options_count);
    if (&credit_curvature_module) print_options(credit_curvature_module.options, credit_curvature_module.n_options);
    return 0;
}

static int describe(const char *name)
{
    credit_plugin p;
    int found = 0;
    for (int k = 0; k < 2; k++) {
        credit_kind kind = k ? CREDIT_KIND_TASK : CREDIT_KIND_RULE;
        char **names;
        size_t n;
        if (credit_plugin_names(kind, &names, &n)) return credit_cli_fail(CREDIT_ENOMEM);
        int listed = 0;
        for (size_t i = 0; i < n; i++) listed |= strcmp(names[i], name) == 0;
        credit_plugin_names_free(names, n);
        if (!listed) continue;
        if (credit_plugin_open(&p, kind, name)) return credit_cli_fail(CREDIT_EPLUGIN);
        found = 1;
        const credit_plugin_head *h = p.head;
        printf("%s %s %s (%s)\n  %s\n  cite: %s\n", credit_kind_name(kind), name, h->version, p.path, h->summary, h->citation);
        char flags[64];
        credit_plugin_flags_text(&p, flags, sizeof flags);
        printf("  flags: %s\n", flags);
        print_options(h->options, h->n_options);
        credit_plugin_close(&p);
    }
    if (!found) {
        CREDIT_ERROR(CREDIT_EINVAL, "no rule or task named '%s' (credit plugins list)", name);
        return credit_cli_fail(CREDIT_EINVAL);
    }
    return 0;
}

static int cmd_plugins(int argc, char **argv)
{
    if (credit_cli_wants_help(argc, argv)) { fputs(plugins_help, stdout); return 0; }
    if (argc >= 2 && strcmp(argv[0], "describe") == 0) return describe(argv[1]);
    if (argc > 0 && strcmp(argv[0], "list") != 0) { fputs(plugins_help, stderr); return CREDIT_EXIT_USAGE; }
    for (int k = 0; k < 2; k++) {
        credit_kind kind = k ? CREDIT_KIND_TASK : CREDIT_KIND_RULE;
        char **names;
        size_t n;
        if (credit_plugin_names(kind, &names, &n)) return credit_cli_fail(CREDIT_ENOMEM);
        printf("%ss:\n", credit_kind_name(kind));
        for (size_t i = 0; i < n; i++) {
            credit_plugin p;
            /* Flushed line by line: what was listed survives a plugin that crashes the loader. */
            fflush(stdout);
            if (credit_plugin_open(&p, kind, names[i])) {
                printf("  %-10s (cannot load: %s)\n", names[i], credit_error_message());
                continue;
            }
            printf("  %-10s %-8s %s\n", names[i], p.head->version, p.head->summary);
            credit_plugin_close(&p);
        }
        fflush(stdout);
        credit_plugin_names_free(names, n);
    }
    return 0;
}

/* fds 0-2 closed by the caller (`credit train ... >&- 2>&-`) would be
 * taken by the first files the run opens, and the progress line and any
 * message would land in curve.tsv. Each closed one gets /dev/null first
 * (open returns the lowest free fd: 0, then 1, then 2). */
static int std_fds_open(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
        int got = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
        if (got != fd) return -1;
    }
    return 0;
}

/* `credit curvature RUN_DIR key=v --out=NAME`: cmd_curvature.c takes --out
 * only right after RUN_DIR, so an --out further on is moved there instead of
 * being refused as a key. The names curvature itself writes beside
 * curvature_final.tsv (the density's outputs) are no --out. */
static int curvature_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--out=", 6)) continue;
        const char *name = argv[i] + 6;
        if (!strcmp(name, "curvature_density.tsv") || !strcmp(name, "curvature_slq.tsv")) {
            fprintf(stderr, "credit: curvature: --out='%s' is the name of an output of hessian_density; choose another\n", name);
            return -1;
        }
        char *out = argv[i];
        memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof *argv);
        argv[1] = out;
        break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (std_fds_open()) return 1; /* nowhere to say why: stderr is what failed */
    credit_blas_init(argv); /* may re-execute with OPENBLAS_CORETYPE set: before any BLAS call */
    /* A file-size limit (ulimit -f) is then an EFBIG write error with a
     * message, not a silent kill. */
    signal(SIGXFSZ, SIG_IGN);
    credit_crash_handlers_install();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CREDIT_EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "curvature") && curvature_args(argc - 2, argv + 2)) return CREDIT_EXIT_USAGE;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (commands[i].run && strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "credit: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CREDIT_EXIT_USAGE;
}
