/* main.c: ringkv-server's entry point.
 *
 * Usage: ringkv-server [/path/to/ringkv.conf] [--name value ...], as
 * redis-server. Loads the configuration (file first, then arguments, so
 * arguments win), builds the server, logs Redis's start-up banner (or its
 * one-line form) and the parameters that were set but have no effect yet,
 * and runs the loop until a shutdown. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>

#include "engine/alloc.h"
#include "engine/kv.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/core/version.h"
#include "net/server/server.h"
#include "net/wire/loop.h"

/* Redis 7.0's start-up banner (its asciilogo.h), with ringkv's version on
 * the first text line. Redis's test tools read the "PID:" field. */
static const char main_logo[] =
    "                _._                                                  \n"
    "           _.-``__ ''-._                                             \n"
    "      _.-``    `.  `_.  ''-._           ringkv %s (Redis %s) %d bit\n"
    "  .-`` .-```.  ```\\/    _.,_ ''-._                                  \n"
    " (    '      ,       .-`  | `,    )     Running in standalone mode\n"
    " |`-._`-...-` __...-.``-._|'` _.-'|     Port: %d\n"
    " |    `-._   `._    /     _.-'    |     PID: %ld\n"
    "  `-._    `-._  `-./  _.-'    _.-'                                   \n"
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  \n"
    " |    `-._`-._        _.-'_.-'    |           https://redis.io       \n"
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   \n"
    " |`-._`-._    `-.__.-'    _.-'_.-'|                                  \n"
    " |    `-._`-._        _.-'_.-'    |                                  \n"
    "  `-._    `-._`-.__.-'_.-'    _.-'                                   \n"
    "      `-._    `-.__.-'    _.-'                                       \n"
    "          `-._        _.-'                                           \n"
    "              `-.__.-'                                               \n\n";

/* As Redis's redisAsciiArt: the banner when always-show-logo is yes or the
 * log is a terminal, raw (no log prefix) at notice level; otherwise the
 * one-line "Running mode" notice. */
static void main_banner(struct server *s)
{
    const struct config *cfg = &s->config;
    bool to_file = cfg->logfile != NULL && cfg->logfile[0] != '\0';
    if (!cfg->always_show_logo && (to_file || !isatty(STDOUT_FILENO))) {
        log_write(&s->log, LOGLEVEL_NOTICE, "Running mode=standalone, port=%d.", cfg->port);
        return;
    }
    if (cfg->loglevel > LOGLEVEL_NOTICE)
        return;
    FILE *file = to_file ? fopen(cfg->logfile, "a") : NULL;
    FILE *out = file ? file : stdout;
    fprintf(out, main_logo, VERSION_RINGKV, VERSION_REDIS, (int)(sizeof(long) * 8), cfg->port,
            (long)s->pid);
    fflush(out);
    if (file)
        fclose(file);
}

/* One line naming the parameters set away from their defaults that ringkv
 * accepts but does not act on yet, so nobody mistakes them for working. */
static void main_log_no_effect(struct server *s)
{
    char *names = config_no_effect_names(&s->config);
    if (names == NULL)
        return;
    log_write(&s->log, LOGLEVEL_WARNING, "Accepted, no effect yet: %s", names);
    alloc_free(names);
}

static void main_usage(void)
{
    fprintf(stderr,
            "Usage: ./ringkv-server [/path/to/ringkv.conf] [options] [-]\n"
            "       ./ringkv-server -v or --version\n"
            "       ./ringkv-server -h or --help\n\n"
            "Examples:\n"
            "       ./ringkv-server (run the server with the default configuration)\n"
            "       ./ringkv-server /etc/ringkv/6379.conf\n"
            "       ./ringkv-server --port 7777\n"
            "       ./ringkv-server /etc/myredis.conf --loglevel verbose\n");
}

static void main_fatal_config(const char *why)
{
    fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (ringkv %s, Redis %s) ***\n%s\n", VERSION_RINGKV,
            VERSION_REDIS, why);
    exit(1);
}

/* Loads the file (if any) and the arguments into s->config. */
static void main_load_config(struct server *s, int argc, char **argv)
{
    char err[2048];
    int first_option = 1;
    if (argc > 1 && strncmp(argv[1], "--", 2) != 0 && strcmp(argv[1], "-") != 0) {
        char path[PATH_MAX];
        s->config_file = alloc_strdup(realpath(argv[1], path) ? path : argv[1]);
        if (config_load_file(&s->config, argv[1], err, sizeof(err)) < 0)
            main_fatal_config(err);
        first_option = 2;
    }
    if (config_load_args(&s->config, argc - first_option, argv + first_option, err, sizeof(err)) < 0)
        main_fatal_config(err);
    if (s->config.daemonize)
        main_fatal_config("daemonize yes is not supported: run ringkv-server under a supervisor");
    if ((unsigned long long)s->config.proto_max_bulk_len > KV_BYTES_MAX)
        main_fatal_config("proto-max-bulk-len is larger than ringkv's 4 GB value limit");
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
        printf("ringkv server v=%s redis-compat=%s bits=%d\n", VERSION_RINGKV, VERSION_REDIS,
               (int)(sizeof(long) * 8));
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        main_usage();
        return 0;
    }
    static struct server server;
    struct server *s = &server;
    config_init(&s->config);
    main_load_config(s, argc, argv);
    char path[PATH_MAX];
    s->executable = alloc_strdup(realpath("/proc/self/exe", path) ? path : argv[0]);

    char err[1024];
    if (server_init(s, err, sizeof(err)) < 0) {
        log_write(&s->log, LOGLEVEL_WARNING, "%s", err);
        fprintf(stderr, "ringkv: %s\n", err);
        return 1;
    }
    log_write(&s->log, LOGLEVEL_NOTICE, "ringkv %s (Redis %s compatible) pid=%d port=%d io_uring",
               VERSION_RINGKV, VERSION_REDIS, (int)s->pid, s->config.port);
    main_banner(s);
    main_log_no_effect(s);
    log_write(&s->log, LOGLEVEL_NOTICE, "Server initialized");
    log_write(&s->log, LOGLEVEL_NOTICE, "Ready to accept connections tcp");
    /* Redis's check on a limit too small to hold much (after "Ready", as
     * there). */
    if (s->config.maxmemory > 0 && s->config.maxmemory < 1024 * 1024)
        log_write(&s->log, LOGLEVEL_WARNING,
                  "WARNING: You specified a maxmemory value that is less than 1MB (current value "
                  "is %lld bytes). Are you sure this is what you really want?",
                  s->config.maxmemory);
    loop_run(&s->loop);
    int code = s->shutdown_exit_code;
    server_free(s);
    return code;
}
