/*
 * ringh_pair: the ring's own limit, measured with Xen's ring.h and netif.h macros themselves
 * (Debian's libxen-dev), so ringflood's C# frontend + netbackd's null data path can be reported as a
 * fraction of it on the same machine, in the same run (bench/run.sh's ring table).
 *
 * Two threads in one process share a netif TX ring of 2^order pages and one data page per slot id:
 *   frontend: copies a 64-byte frame into the data page of a free id, fills a netif_tx_request,
 *             pushes per batch of 64 (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, kicking an eventfd only
 *             when the backend asked), reclaims responses; with the ring full it arms
 *             RING_FINAL_CHECK_FOR_RESPONSES and sleeps in read() on the call eventfd;
 *   backend:  RING_COPY_REQUEST each slot (XSA-155), checks gref/offset/size, copies the frame out of
 *             its page (as netbackd copies a frame's headers), answers NETIF_RSP_OKAY, pushes per
 *             batch of 64 (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY); with no work it arms
 *             RING_FINAL_CHECK_FOR_REQUESTS and sleeps in read() on the kick eventfd.
 * --spin replaces both sleeps by busy polling (the limit without wake-up latency).
 *
 *   ringh_pair [--order K] [--seconds S] [--warmup S] [--spin] [--cpus A,B]
 * prints one JSON line: {"order":K,"mode":"sleep","slots":N,"packets":P,"seconds":S,"mpps":M,
 *   "kicks":k,"calls":c,"frontend_sleeps":f,"backend_sleeps":b}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* ring.h leaves the barriers to its includer (Linux maps them to virt_mb() and friends). */
#define mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/netif.h>

#define PAGE 4096
#define BATCH 64
#define FRAME 64

static int order = 0, spin = 0, cpu_front = -1, cpu_back = -1;
static double seconds = 5, warmup = 1;
static netif_tx_sring_t *sring;
static unsigned char *data; /* one page per slot id */
static unsigned nr_ents;
static int kick_fd, call_fd;
static atomic_int stop;
static atomic_ulong packets;
static unsigned long kicks, calls, front_sleeps, back_sleeps;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void pin(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
        fprintf(stderr, "ringh_pair: cannot pin to cpu %d\n", cpu);
        exit(2);
    }
}

static void notify(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN) {
        perror("ringh_pair: eventfd write");
        exit(1);
    }
}

/* Blocks until notified or stopping (the stopper writes both eventfds). */
static void sleep_on(int fd)
{
    uint64_t value;
    if (read(fd, &value, sizeof(value)) < 0 && errno != EINTR) {
        perror("ringh_pair: eventfd read");
        exit(1);
    }
}

static void *frontend(void *arg)
{
    (void)arg;
    netif_tx_front_ring_t r;
    FRONT_RING_INIT(&r, sring, (size_t)PAGE << order);
    unsigned char frame[FRAME];
    memset(frame, 0xff, 6);
    memset(frame + 6, 0x02, 6);
    frame[12] = 0x88;
    frame[13] = 0xb5;
    pin(cpu_front);
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        /* Reclaim answered slots (xennet_tx_buf_gc). */
        RING_IDX prod = r.sring->rsp_prod;
        rmb();
        for (RING_IDX i = r.rsp_cons; i != prod; i++) {
            netif_tx_response_t *rsp = RING_GET_RESPONSE(&r, i);
            if (rsp->status != NETIF_RSP_OKAY) {
                fprintf(stderr, "ringh_pair: response %d for id %u\n", rsp->status, rsp->id);
                exit(1);
            }
        }
        r.rsp_cons = prod;
        /* Fill up to one batch. */
        int n = 0;
        while (n < BATCH && !RING_FULL(&r)) {
            RING_IDX idx = r.req_prod_pvt++;
            unsigned id = idx & (nr_ents - 1);
            memcpy(data + (size_t)id * PAGE, frame, FRAME);
            netif_tx_request_t *req = RING_GET_REQUEST(&r, idx);
            req->gref = id;
            req->offset = 0;
            req->flags = 0;
            req->id = id;
            req->size = FRAME;
            n++;
        }
        if (n > 0) {
            int do_notify;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&r, do_notify);
            if (do_notify) {
                notify(kick_fd);
                kicks++;
            }
            continue;
        }
        /* Ring full: wait for responses. */
        if (spin)
            continue;
        int work;
        RING_FINAL_CHECK_FOR_RESPONSES(&r, work);
        if (!work) {
            front_sleeps++;
            sleep_on(call_fd);
        }
    }
    return NULL;
}

static void *backend(void *arg)
{
    (void)arg;
    netif_tx_back_ring_t r;
    BACK_RING_INIT(&r, sring, (size_t)PAGE << order);
    unsigned char copy[FRAME];
    pin(cpu_back);
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        int n = 0;
        while (n < BATCH && RING_HAS_UNCONSUMED_REQUESTS(&r)) {
            netif_tx_request_t req;
            rmb();
            RING_COPY_REQUEST(&r, r.req_cons, &req);
            r.req_cons++;
            int16_t status = NETIF_RSP_OKAY;
            if (req.gref >= nr_ents || req.offset + req.size > PAGE || req.size > FRAME)
                status = NETIF_RSP_ERROR;
            else
                memcpy(copy, data + (size_t)req.gref * PAGE + req.offset, req.size);
            netif_tx_response_t *rsp = RING_GET_RESPONSE(&r, r.rsp_prod_pvt++);
            rsp->id = req.id;
            rsp->status = status;
            n++;
        }
        if (n > 0) {
            int do_notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&r, do_notify);
            if (do_notify) {
                notify(call_fd);
                calls++;
            }
            atomic_fetch_add_explicit(&packets, n, memory_order_relaxed);
            continue;
        }
        if (spin)
            continue;
        int work;
        RING_FINAL_CHECK_FOR_REQUESTS(&r, work);
        if (!work) {
            back_sleeps++;
            sleep_on(kick_fd);
        }
    }
    return NULL;
}

static void usage(void)
{
    fprintf(stderr, "usage: ringh_pair [--order 0..4] [--seconds S] [--warmup S] [--spin] [--cpus A,B]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--order") && i + 1 < argc)
            order = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--warmup") && i + 1 < argc)
            warmup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--spin"))
            spin = 1;
        else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
            if (sscanf(argv[++i], "%d,%d", &cpu_front, &cpu_back) != 2)
                usage();
        } else
            usage();
    }
    if (order < 0 || order > 4 || seconds <= 0 || warmup < 0)
        usage();
    size_t ring_bytes = (size_t)PAGE << order;
    sring = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sring == MAP_FAILED)
        return perror("mmap"), 1;
    SHARED_RING_INIT(sring);
    nr_ents = __RING_SIZE(sring, ring_bytes);
    data = mmap(NULL, (size_t)nr_ents * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        return perror("mmap"), 1;
    kick_fd = eventfd(0, EFD_CLOEXEC);
    call_fd = eventfd(0, EFD_CLOEXEC);
    if (kick_fd < 0 || call_fd < 0)
        return perror("eventfd"), 1;

    pthread_t front, back;
    pthread_create(&back, NULL, backend, NULL);
    pthread_create(&front, NULL, frontend, NULL);
    struct timespec w = { (time_t)warmup, (long)((warmup - (time_t)warmup) * 1e9) };
    nanosleep(&w, NULL);
    unsigned long p0 = atomic_load(&packets), k0 = kicks, c0 = calls, f0 = front_sleeps, b0 = back_sleeps;
    double t0 = now();
    struct timespec d = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&d, NULL);
    unsigned long p1 = atomic_load(&packets), k1 = kicks, c1 = calls, f1 = front_sleeps, b1 = back_sleeps;
    double t1 = now();
    atomic_store(&stop, 1);
    notify(kick_fd);
    notify(call_fd);
    pthread_join(front, NULL);
    pthread_join(back, NULL);
    double s = t1 - t0;
    printf("{\"order\":%d,\"mode\":\"%s\",\"slots\":%u,\"packets\":%lu,\"seconds\":%.3f,\"mpps\":%.3f,"
           "\"kicks\":%lu,\"calls\":%lu,\"frontend_sleeps\":%lu,\"backend_sleeps\":%lu}\n",
           order, spin ? "spin" : "sleep", nr_ents, p1 - p0, s, (p1 - p0) / s / 1e6, k1 - k0, c1 - c0, f1 - f0, b1 - b0);
    return 0;
}
