/* persist.c: what the AOF and RDB saves share: fork children (one at a
 * time, their copy-on-write report) and the start-up loading progress. */
#define _GNU_SOURCE /* pipe2 */
#include "net/persist/persist.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/* Clients are served at most this often while loading. */
#define PERSIST_LOADING_SERVE_INTERVAL_MS 10

void persist_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx)
{
    if (p->wait_writer)
        p->wait_writer(p, done, ctx);
    else
        loop_wait_writer(p->loop, done, ctx);
}

bool persist_child_running(const struct persist *p)
{
    return p->rdb_child_pid != 0 || p->aof.child_pid != 0;
}

void persist_child_init(struct persist *p)
{
    /* The parent blocks SIGTERM/SIGINT for its signalfd; the child must
     * die of them (a kill of the child is how a save is aborted). */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    for (int i = 0; i < p->loop->listener_count; i++)
        close(p->loop->listeners[i].fd);
}

void persist_loading_start(struct persist *p, long long total_bytes)
{
    struct loading_state *l = &p->loading;
    if (!l->active) {
        l->active = true;
        l->start_ms = log_clock_ms();
        l->done_bytes = l->loaded_bytes = 0;
        l->last_serve_ms = l->start_ms;
    }
    l->total_bytes = total_bytes;
}

void persist_loading_progress(struct persist *p, long long file_bytes)
{
    struct loading_state *l = &p->loading;
    if (!l->active)
        return;
    l->loaded_bytes = l->done_bytes + file_bytes;
    if (!l->serve_clients)
        return;
    int64_t now = log_clock_ms();
    if (now - l->last_serve_ms < PERSIST_LOADING_SERVE_INTERVAL_MS)
        return;
    l->last_serve_ms = now;
    loop_serve_once(p->loop);
}

void persist_loading_file_done(struct persist *p, long long file_bytes)
{
    p->loading.done_bytes += file_bytes;
    p->loading.loaded_bytes = p->loading.done_bytes;
}

void persist_loading_end(struct persist *p)
{
    p->loading.active = false;
}

void persist_child_info_open(struct persist *p)
{
    if (p->child_info_pipe[0] > 0)
        persist_child_info_receive(p); /* a stale pipe: drop it */
    if (pipe2(p->child_info_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        p->child_info_pipe[0] = p->child_info_pipe[1] = 0;
}

/* Sums the Private_Dirty of this process: the pages it no longer shares
 * with its parent (what Redis reports as the child's COW size). */
static long long persist_private_dirty_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0, total = 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Private_Dirty: %lld kB", &kb) == 1)
            total += kb;
    fclose(f);
    return total * 1024;
}

void persist_child_info_send(struct persist *p)
{
    if (p->child_info_pipe[1] <= 0)
        return;
    long long cow = persist_private_dirty_bytes();
    ssize_t ignored = write(p->child_info_pipe[1], &cow, sizeof(cow));
    (void)ignored;
}

long long persist_child_info_receive(struct persist *p)
{
    long long cow = 0;
    if (p->child_info_pipe[0] <= 0)
        return 0;
    if (read(p->child_info_pipe[0], &cow, sizeof(cow)) != (ssize_t)sizeof(cow))
        cow = 0;
    close(p->child_info_pipe[0]);
    close(p->child_info_pipe[1]);
    p->child_info_pipe[0] = p->child_info_pipe[1] = 0;
    return cow;
}
