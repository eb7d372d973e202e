/*
 * netfront-min: a minimal netback frontend in C, written from docs/protocol.md alone, with Xen's own
 * xen/io/netif.h and ring.h (Debian's libxen-dev) for the rings (layout "xen").
 *
 *   netfront-min SOCKET QUEUES split|single ORDER OWN_IP TARGET_IP
 *
 * Connects, reads Hello, builds the grant area (rings first, then data pages), posts every RX
 * buffer, sends Connect with the memfd and the eventfds, reads Connected. Then, on queue 0, it
 * sends an ARP request for TARGET_IP from OWN_IP every 300 ms until an ARP reply comes back on any
 * queue, then an ICMP echo request to TARGET_IP until the echo reply comes back; then it sends
 * State(5) and waits for end of file. Prints "connected VIF MAC MTU" once Connected, "arp-reply
 * MAC" and "echo-reply" when they come, "closed" at the end. Exit 0 on success, 1 with a message
 * on stderr otherwise (a State(5) or Error from the backend, a timeout of 20 s, a bad response).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* ring.h (default __XEN_INTERFACE_VERSION__) calls mb(), rmb(), wmb(): its includer supplies them. */
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/netif.h>

#define PAGE 4096
#define MAX_QUEUES 16
#define MAX_ENTRIES 64

/* protocol.md, Records and Message types */
#define MAGIC 0x5443424Eu
#define T_HELLO 1
#define T_CONNECT 2
#define T_CONNECTED 3
#define T_STATE 4
#define T_ERROR 5

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("netfront-min: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- records ---------------------------------------------------------------------------- */

struct message {
    int type;
    int count;
    char keys[MAX_ENTRIES][65];
    char values[MAX_ENTRIES][1025];
};

static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint16_t get16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }

static void set(struct message *m, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (m->count == MAX_ENTRIES)
        die("too many entries");
    snprintf(m->keys[m->count], sizeof m->keys[0], "%s", key);
    va_start(ap, fmt);
    vsnprintf(m->values[m->count], sizeof m->values[0], fmt, ap);
    va_end(ap);
    m->count++;
}

static const char *get(const struct message *m, const char *key)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->keys[i], key) == 0)
            return m->values[i];
    return NULL;
}

static long get_int(const struct message *m, const char *key, long fallback)
{
    const char *v = get(m, key);
    return v ? strtol(v, NULL, 10) : fallback;
}

/* One sendmsg: the record and, in one SCM_RIGHTS control message, the fds (protocol.md, File descriptors). */
static void send_message(int sock, const struct message *m, const int *fds, int nfds)
{
    uint8_t buf[16384];
    size_t len = 16;
    for (int i = 0; i < m->count; i++) {
        size_t k = strlen(m->keys[i]) + 1, v = strlen(m->values[i]) + 1;
        if (len + k + v > sizeof buf)
            die("record too large");
        memcpy(buf + len, m->keys[i], k);
        memcpy(buf + len + k, m->values[i], v);
        len += k + v;
    }
    put32(buf, MAGIC);
    put16(buf + 4, 1);
    put16(buf + 6, m->type);
    put32(buf + 8, len - 16);
    put16(buf + 12, m->count);
    put16(buf + 14, nfds);

    struct iovec iov = { buf, len };
    struct msghdr msg = { 0 };
    char control[CMSG_SPACE(sizeof(int) * 72)];
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (nfds > 0) {
        memset(control, 0, sizeof control);
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)len)
        die("sendmsg: %s", strerror(errno));
}

/* One record; returns 0 at end of file. */
static int receive_message(int sock, struct message *m)
{
    uint8_t buf[16385];
    ssize_t n = recv(sock, buf, sizeof buf, 0);
    if (n < 0)
        die("recv: %s", strerror(errno));
    if (n == 0)
        return 0;
    if (n < 16 || get32(buf) != MAGIC || get16(buf + 4) != 1 || get32(buf + 8) != (uint32_t)n - 16)
        die("malformed record of %zd bytes", n);
    m->type = get16(buf + 6);
    m->count = 0;
    int entries = get16(buf + 12);
    size_t at = 16;
    for (int i = 0; i < entries && i < MAX_ENTRIES; i++) {
        const char *k = (const char *)buf + at;
        size_t kl = strnlen(k, n - at);
        const char *v = k + kl + 1;
        size_t vl = strnlen(v, n - at - kl - 1);
        snprintf(m->keys[i], sizeof m->keys[0], "%s", k);
        snprintf(m->values[i], sizeof m->values[0], "%s", v);
        m->count++;
        at += kl + 1 + vl + 1;
    }
    return 1;
}

/* ---- the vif ---------------------------------------------------------------------------- */

struct queue {
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    uint32_t tx_data, rx_data; /* gref of TX slot id 0, RX slot id 0 */
    int tx_kick, tx_call, rx_kick, rx_call; /* rx_* = tx_* in single mode */
};

static uint8_t *area;
static struct queue queues[MAX_QUEUES];
static int nqueues, split;
static unsigned tx_size, rx_size;
static uint8_t my_mac[6];

static uint8_t *page(uint32_t gref) { return area + (size_t)gref * PAGE; }

static void kick(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) != sizeof one) /* never read back (protocol.md, Notifications) */
        die("kick: %s", strerror(errno));
}

static void post_rx(struct queue *q, uint16_t id)
{
    netif_rx_request_t *r = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
    r->id = id;
    r->gref = q->rx_data + id;
    q->rx.req_prod_pvt++;
}

/* A one-slot packet on queue q's TX ring; the slot id picks its data page. */
static void transmit(struct queue *q, const uint8_t *frame, size_t len)
{
    if (RING_FULL(&q->tx))
        die("TX ring full");
    uint16_t id = q->tx.req_prod_pvt & (tx_size - 1);
    memcpy(page(q->tx_data + id), frame, len);
    netif_tx_request_t *r = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
    r->gref = q->tx_data + id;
    r->offset = 0;
    r->flags = 0;
    r->id = id;
    r->size = len;
    q->tx.req_prod_pvt++;
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
    if (notify)
        kick(q->tx_kick);
}

/* ---- frames ----------------------------------------------------------------------------- */

static struct in_addr own_ip, target_ip;
static uint8_t target_mac[6];
static int have_arp, have_echo;

static size_t arp_request(uint8_t *f)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, my_mac, 6);
    f[12] = 0x08; f[13] = 0x06;
    f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4; f[20] = 0; f[21] = 1;
    memcpy(f + 22, my_mac, 6);
    memcpy(f + 28, &own_ip, 4);
    memcpy(f + 38, &target_ip, 4);
    return 60;
}

static uint16_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

static size_t echo_request(uint8_t *f, uint16_t seq)
{
    size_t icmp_len = 8 + 32;
    memset(f, 0, 14 + 20 + icmp_len);
    memcpy(f, target_mac, 6);
    memcpy(f + 6, my_mac, 6);
    f[12] = 0x08; f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    put16(ip + 2, 0); ip[2] = (20 + icmp_len) >> 8; ip[3] = (20 + icmp_len) & 0xff;
    ip[8] = 64; ip[9] = 1;
    memcpy(ip + 12, &own_ip, 4);
    memcpy(ip + 16, &target_ip, 4);
    uint16_t c = checksum(ip, 20);
    ip[10] = c >> 8; ip[11] = c & 0xff;
    uint8_t *icmp = ip + 20;
    icmp[0] = 8;
    icmp[4] = 0x4e; icmp[5] = 0x42;
    icmp[6] = seq >> 8; icmp[7] = seq & 0xff;
    for (int i = 0; i < 32; i++)
        icmp[8 + i] = i;
    c = checksum(icmp, icmp_len);
    icmp[2] = c >> 8; icmp[3] = c & 0xff;
    return 14 + 20 + icmp_len;
}

static void received(const uint8_t *f, size_t len)
{
    if (len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 && memcmp(f + 28, &target_ip, 4) == 0 && !have_arp) {
        memcpy(target_mac, f + 22, 6);
        have_arp = 1;
        printf("arp-reply %02x:%02x:%02x:%02x:%02x:%02x\n", target_mac[0], target_mac[1], target_mac[2],
               target_mac[3], target_mac[4], target_mac[5]);
        fflush(stdout);
    } else if (len >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 1 && f[34] == 0 && f[38] == 0x4e && f[39] == 0x42
               && memcmp(f + 26, &target_ip, 4) == 0 && !have_echo) {
        have_echo = 1;
        printf("echo-reply\n");
        fflush(stdout);
    }
}

/* Responses of one queue: TX answers checked, RX frames read and their pages posted again. */
static void service(struct queue *q)
{
    int more;
    do {
        RING_IDX prod = q->tx.sring->rsp_prod;
        xen_rmb();
        for (; q->tx.rsp_cons != prod; q->tx.rsp_cons++) {
            netif_tx_response_t *r = RING_GET_RESPONSE(&q->tx, q->tx.rsp_cons);
            if (r->status != NETIF_RSP_OKAY)
                die("TX slot id %u answered %d", r->id, r->status);
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
    } while (more);

    do {
        RING_IDX prod = q->rx.sring->rsp_prod;
        xen_rmb();
        for (; q->rx.rsp_cons != prod; q->rx.rsp_cons++) {
            netif_rx_response_t r = *RING_GET_RESPONSE(&q->rx, q->rx.rsp_cons);
            if (r.status < 0 || (r.flags & (NETRXF_more_data | NETRXF_extra_info)))
                die("RX response id %u status %d flags %#x: not a one-page frame", r.id, r.status, r.flags);
            received(page(q->rx_data + r.id) + r.offset, r.status);
            post_rx(q, r.id);
        }
        int notify;
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
        if (notify)
            kick(q->rx_kick);
        RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
    } while (more);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 7)
        die("usage: netfront-min SOCKET QUEUES split|single ORDER OWN_IP TARGET_IP");
    nqueues = atoi(argv[2]);
    split = strcmp(argv[3], "split") == 0;
    int order = atoi(argv[4]);
    if (inet_pton(AF_INET, argv[5], &own_ip) != 1 || inet_pton(AF_INET, argv[6], &target_ip) != 1)
        die("bad address");
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* 1. connect, Hello (protocol.md, Connection life; Hello) */
    int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("connect %s: %s", argv[1], strerror(errno));
    struct message m;
    if (!receive_message(sock, &m))
        die("end of file before Hello");
    if (m.type == T_ERROR)
        die("refused: %s", get(&m, "reason"));
    if (m.type != T_HELLO || get_int(&m, "state", 0) != 2 || get_int(&m, "protocol-version", 0) != 1
        || get_int(&m, "feature-rx-copy", 0) != 1)
        die("not a Hello I understand (type %d)", m.type);
    if (nqueues < 1 || nqueues > get_int(&m, "multi-queue-max-queues", 1) || nqueues > MAX_QUEUES)
        die("%d queues not offered", nqueues);
    if (order < 0 || order > get_int(&m, "max-ring-page-order", 0))
        die("ring-page-order %d not offered", order);
    if (split && get_int(&m, "feature-split-event-channels", 0) != 1)
        die("split event channels not offered");

    /* 2. the grant area: rings below data-page-first, data pages above (protocol.md, Grant area) */
    unsigned ring_pages = 1u << order;
    tx_size = __CONST_RING_SIZE(netif_tx, PAGE << order);
    rx_size = __CONST_RING_SIZE(netif_rx, PAGE << order);
    uint32_t data_first = 2 * nqueues * ring_pages;
    uint32_t pages = data_first + nqueues * (tx_size + rx_size);
    int memfd = memfd_create("netfront-min", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0 || ftruncate(memfd, (off_t)pages * PAGE) < 0
        || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        die("memfd: %s", strerror(errno));
    area = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (area == MAP_FAILED)
        die("mmap: %s", strerror(errno));

    /* 3. rings initialised and RX buffers posted before Connect; eventfds; fd array (protocol.md, File descriptors) */
    int fds[72];
    int nfds = 0;
    fds[nfds++] = memfd;
    for (int i = 0; i < nqueues; i++) {
        struct queue *q = &queues[i];
        netif_tx_sring_t *txs = (netif_tx_sring_t *)page(2 * i * ring_pages);
        netif_rx_sring_t *rxs = (netif_rx_sring_t *)page((2 * i + 1) * ring_pages);
        SHARED_RING_INIT(txs);
        FRONT_RING_INIT(&q->tx, txs, PAGE << order);
        SHARED_RING_INIT(rxs);
        FRONT_RING_INIT(&q->rx, rxs, PAGE << order);
        if (RING_SIZE(&q->tx) != tx_size || RING_SIZE(&q->rx) != rx_size)
            die("ring size");
        q->tx_data = data_first + i * (tx_size + rx_size);
        q->rx_data = q->tx_data + tx_size;
        for (unsigned id = 0; id < rx_size; id++)
            post_rx(q, id);
        RING_PUSH_REQUESTS(&q->rx);
        q->tx_kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        q->tx_call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        fds[nfds++] = q->tx_kick;
        fds[nfds++] = q->tx_call;
        if (split) {
            q->rx_kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            q->rx_call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            fds[nfds++] = q->rx_kick;
            fds[nfds++] = q->rx_call;
        } else {
            q->rx_kick = q->tx_kick;
            q->rx_call = q->tx_call;
        }
    }

    /* 4. Connect (protocol.md, Connect): per-queue keys top level with one queue, under queue-N/ with more */
    memset(&m, 0, sizeof m);
    m.type = T_CONNECT;
    set(&m, "state", "4");
    set(&m, "multi-queue-num-queues", "%d", nqueues);
    set(&m, "ring-page-order", "%d", order);
    set(&m, "ring-layout", "xen");
    set(&m, "request-rx-copy", "1");
    set(&m, "feature-rx-notify", "1");
    set(&m, "grant-pages", "%u", pages);
    set(&m, "data-page-first", "%u", data_first);
    set(&m, "grant-area-fd", "0");
    for (int i = 0; i < nqueues; i++) {
        char prefix[24] = "";
        char key[64];
        if (nqueues > 1)
            snprintf(prefix, sizeof prefix, "queue-%d/", i);
        int stride = split ? 4 : 2, first = 1 + stride * i;
        snprintf(key, sizeof key, "%stx-ring-ref", prefix);
        set(&m, key, "%u", 2 * i * ring_pages);
        snprintf(key, sizeof key, "%srx-ring-ref", prefix);
        set(&m, key, "%u", (2 * i + 1) * ring_pages);
        if (split) {
            snprintf(key, sizeof key, "%sevent-channel-tx", prefix);
            set(&m, key, "%d,%d", first, first + 1);
            snprintf(key, sizeof key, "%sevent-channel-rx", prefix);
            set(&m, key, "%d,%d", first + 2, first + 3);
        } else {
            snprintf(key, sizeof key, "%sevent-channel", prefix);
            set(&m, key, "%d,%d", first, first + 1);
        }
    }
    send_message(sock, &m, fds, nfds);

    /* 5. Connected */
    if (!receive_message(sock, &m))
        die("end of file before Connected");
    if (m.type != T_CONNECTED || get_int(&m, "state", 0) != 4)
        die("refused (type %d): %s", m.type, get(&m, "reason") ? get(&m, "reason") : "?");
    const char *mac = get(&m, "mac");
    if (!mac || sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &my_mac[0], &my_mac[1], &my_mac[2], &my_mac[3], &my_mac[4],
                       &my_mac[5]) != 6)
        die("Connected without a mac");
    printf("connected %s %s %s\n", get(&m, "vif"), mac, get(&m, "mtu"));

    /* 6. traffic: poll every call eventfd and the control socket */
    struct pollfd p[1 + 2 * MAX_QUEUES];
    int np = 0;
    p[np++] = (struct pollfd){ .fd = sock, .events = POLLIN };
    for (int i = 0; i < nqueues; i++) {
        p[np++] = (struct pollfd){ .fd = queues[i].tx_call, .events = POLLIN };
        if (split)
            p[np++] = (struct pollfd){ .fd = queues[i].rx_call, .events = POLLIN };
    }
    double deadline = now() + 20, next_send = 0;
    uint16_t seq = 0;
    while (!have_echo) {
        if (now() > deadline)
            die("no %s within 20 s", have_arp ? "echo reply" : "ARP reply");
        if (now() >= next_send) {
            uint8_t frame[128];
            size_t len = have_arp ? echo_request(frame, ++seq) : arp_request(frame);
            transmit(&queues[0], frame, len);
            next_send = now() + 0.3;
        }
        for (int i = 0; i < nqueues; i++)
            service(&queues[i]);
        if (have_echo)
            break;
        if (poll(p, np, 100) < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (p[0].revents) {
            if (!receive_message(sock, &m))
                die("end of file from the backend");
            die("backend sent type %d state %ld: %s", m.type, get_int(&m, "state", 0),
                get(&m, "reason") ? get(&m, "reason") : "");
        }
        for (int i = 1; i < np; i++) {
            uint64_t calls;
            if (p[i].revents & POLLIN)
                (void)!read(p[i].fd, &calls, sizeof calls); /* the call eventfd is ours to drain */
        }
    }

    /* 7. leave: State(5), then end of file (no reply) */
    memset(&m, 0, sizeof m);
    m.type = T_STATE;
    set(&m, "state", "5");
    send_message(sock, &m, NULL, 0);
    struct pollfd s = { .fd = sock, .events = POLLIN };
    if (poll(&s, 1, 10000) != 1)
        die("no end of file after Closing");
    if (receive_message(sock, &m))
        die("a reply (type %d) to Closing", m.type);
    printf("closed\n");
    return 0;
}
