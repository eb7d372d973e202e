// Would batching TAP I/O through io_uring pay for netbackd? Measures, on a TAP of its own:
//  1. an IORING_OP_READV on an empty O_NONBLOCK TAP: without RWF_NOWAIT the kernel arms a poll and
//     leaves the read pending (netbackd must never leave one); with RWF_NOWAIT it completes at once
//     with -EAGAIN;
//  2. whether IORING_OP_WRITEV completions are posted inline during io_uring_enter (no io-wq);
//  3. the CPU per frame of writing 60 B frames (unicast to another MAC: the stack drops them early,
//     so the I/O path's own cost dominates) in batches of 32 writev SQEs per io_uring_enter
//     ("uring") or with one writev(2) each ("writev"), optionally on an IFF_NAPI TAP.
// Build: gcc -O2 -o tap_batch tap_batch.c
// Run (root): perf stat -e task-clock ./tap_batch NAME uring|writev [napi]; ip link del NAME
// The TAP is removed when the process exits only if it is not persistent (it is not).
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { Batch = 32, Rounds = 60000 };

static int ring;
static unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
static struct io_uring_sqe *sqes;
static struct io_uring_cqe *cqes;

static void setup(unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    ring = (int)syscall(__NR_io_uring_setup, entries, &p);
    if (ring < 0) { perror("io_uring_setup"); exit(1); }
    size_t sq = p.sq_off.array + p.sq_entries * 4, cq = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    char *base = mmap(0, sq > cq ? sq : cq, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (base == MAP_FAILED || sqes == MAP_FAILED) { perror("mmap"); exit(1); }
    sq_tail = (unsigned *)(base + p.sq_off.tail); sq_mask = (unsigned *)(base + p.sq_off.ring_mask);
    sq_array = (unsigned *)(base + p.sq_off.array);
    cq_head = (unsigned *)(base + p.cq_off.head); cq_tail = (unsigned *)(base + p.cq_off.tail);
    cq_mask = (unsigned *)(base + p.cq_off.ring_mask); cqes = (void *)(base + p.cq_off.cqes);
}

static void prep(int op, int fd, struct iovec *iov, int rw_flags, unsigned long long user_data)
{
    unsigned t = *sq_tail, i = t & *sq_mask;
    struct io_uring_sqe *s = &sqes[i];
    memset(s, 0, sizeof *s);
    s->opcode = op; s->fd = fd; s->addr = (unsigned long)iov; s->len = 1; s->rw_flags = rw_flags; s->user_data = user_data;
    sq_array[i] = i;
    __atomic_store_n(sq_tail, t + 1, __ATOMIC_RELEASE);
}

static int reap(int print)
{
    int n = 0;
    unsigned h = *cq_head, t = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
    for (; h != t; h++, n++)
        if (print) printf("  completion %llu: res %d\n", (unsigned long long)cqes[h & *cq_mask].user_data, cqes[h & *cq_mask].res);
    __atomic_store_n(cq_head, h, __ATOMIC_RELEASE);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s TAPNAME uring|writev [napi]\n", argv[0]); return 2; }
    int uring = strcmp(argv[2], "uring") == 0, napi = argc > 3 && strcmp(argv[3], "napi") == 0;
    int tap = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (napi ? IFF_NAPI : 0);
    strncpy(ifr.ifr_name, argv[1], IFNAMSIZ - 1);
    if (tap < 0 || ioctl(tap, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }
    setup(2 * Batch);

    char buffer[2048];
    struct iovec riov = { buffer, sizeof buffer };
    prep(IORING_OP_READV, tap, &riov, 0, 1);
    syscall(__NR_io_uring_enter, ring, 1, 0, 0, 0, 0);
    usleep(20000);
    int done = reap(1);
    printf("readv, empty O_NONBLOCK TAP, no RWF_NOWAIT: %s\n", done ? "completed" : "still pending after 20 ms (a poll is armed)");
    prep(IORING_OP_READV, tap, &riov, RWF_NOWAIT, 2);
    syscall(__NR_io_uring_enter, ring, 1, 0, 0, 0, 0);
    done = reap(1);
    printf("readv with RWF_NOWAIT: %s\n", done ? "completed at once" : "pending");

    unsigned char frame[60] = { 0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00 };
    struct iovec wiov = { frame, sizeof frame };
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ifr.ifr_flags = IFF_UP;
    ioctl(s, SIOCSIFFLAGS, &ifr);
    for (int i = 0; i < Batch; i++) prep(IORING_OP_WRITEV, tap, &wiov, 0, 100 + i);
    syscall(__NR_io_uring_enter, ring, Batch, 0, 0, 0, 0);
    printf("%d writev SQEs: %d completions when io_uring_enter returned (no wait asked)\n", Batch, reap(0));

    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int r = 0; r < Rounds; r++) {
        if (uring) {
            for (int i = 0; i < Batch; i++) prep(IORING_OP_WRITEV, tap, &wiov, 0, i);
            syscall(__NR_io_uring_enter, ring, Batch, Batch, IORING_ENTER_GETEVENTS, 0, 0);
            for (int got = 0; got < Batch;) got += reap(0);
        } else {
            for (int i = 0; i < Batch; i++) writev(tap, &wiov, 1);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / ((double)Rounds * Batch);
    printf("%s%s: %d frames, %.0f ns wall per frame\n", uring ? "io_uring, 32 writev per enter" : "writev(2) per frame",
        napi ? ", IFF_NAPI" : "", Rounds * Batch, ns);
    return 0;
}
