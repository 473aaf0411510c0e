// udp-blast: replays the UDP payloads of pcap files from ONE source socket (one busy exporter) to a
// collector at a steady rate, with sendmmsg, for a bounded time. Prints one JSON line of what it sent.
//
//   udp-blast --to 127.0.0.1:4739 --rate 100000 --seconds 5 [--batch 32] FILE.pcap...
//   udp-blast --to 127.0.0.1:4739 --from 127.0.0.3 --junk 64 --rate 10000000 --seconds 5
//
// --from binds the source address (another loopback address: another exporter, or a spoofed one) and
// sends unconnected, so an ICMP port unreachable (a datagram the collector's guard refused) does not
// turn the next sends into errors. --junk N sends N-byte zero payloads instead of a capture's (a flood
// that decodes as nothing).
//
// Only loopback destinations are accepted: this is a benchmark tool, never a load generator for a network.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct payload { uint8_t *data; uint32_t len; };
static struct payload *payloads;
static size_t npayloads, cap;

static void die(const char *msg) { perror(msg); exit(2); }

static uint32_t rd32(const uint8_t *p, int swap) {
    uint32_t v; memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static void add_payload(uint8_t *data, uint32_t len) {
    if (npayloads == cap) { cap = cap ? cap * 2 : 1024; payloads = realloc(payloads, cap * sizeof *payloads); }
    payloads[npayloads].data = data;
    payloads[npayloads].len = len;
    npayloads++;
}

// One captured frame: Ethernet (optionally 802.1Q) or raw IP, IPv4/UDP, as ../shared/bench holds.
static void add_frame(uint8_t *p, uint8_t *end, uint32_t link) {
    if (link == 1) {
        if (end - p < 14) return;
        uint16_t et = (p[12] << 8) | p[13]; p += 14;
        while (et == 0x8100 && end - p >= 4) { et = (p[2] << 8) | p[3]; p += 4; }
        if (et != 0x0800) return;
    } else if (link != 101 && link != 228) return;
    if (end - p < 28 || (p[0] >> 4) != 4 || p[9] != 17) return;
    p += (p[0] & 15) * 4;
    if (end - p < 8) return;
    uint32_t ulen = (p[4] << 8) | p[5];
    if (ulen < 8 || p + ulen > end) return;
    add_payload(p + 8, ulen - 8);
}

// Classic pcap or pcapng (Wireshark's format: section header, interface and enhanced packet blocks).
static void load_pcap(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(size);
    if (fread(b, 1, size, f) != (size_t) size) die("read");
    fclose(f);
    uint32_t magic; memcpy(&magic, b, 4);
    if (magic == 0x0A0D0D0A) {
        uint32_t links[64]; int nlinks = 0, swap = 0;
        long pos = 0;
        while (pos + 12 <= size) {
            uint32_t type = rd32(b + pos, 0);
            if (type == 0x0A0D0D0A) { swap = rd32(b + pos + 8, 0) != 0x1A2B3C4D; nlinks = 0; }
            type = rd32(b + pos, swap);
            uint32_t len = rd32(b + pos + 4, swap);
            if (len < 12 || pos + len > (uint64_t) size) break;
            uint8_t *body = b + pos + 8;
            // Interface description: its link type is a u16 in the section's byte order (x86 reads LE natively).
            if (type == 1 && nlinks < 64) links[nlinks++] = swap ? (body[0] << 8 | body[1]) : (body[0] | body[1] << 8);
            if (type == 6 && len >= 32) {
                uint32_t ifc = rd32(body, swap), caplen = rd32(body + 12, swap);
                if (ifc < (uint32_t) nlinks && 20 + caplen <= len - 12) add_frame(body + 20, body + 20 + caplen, links[ifc]);
            }
            pos += len;
        }
        return;
    }
    int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    if (!swap && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) { fprintf(stderr, "%s: not a pcap\n", path); exit(2); }
    uint32_t link = rd32(b + 20, swap) & 0x0fffffff;
    long pos = 24;
    while (pos + 16 <= size) {
        uint32_t incl = rd32(b + pos + 8, swap);
        pos += 16;
        if (pos + incl > (uint64_t) size) break;
        add_frame(b + pos, b + pos + incl, link);
        pos += incl;
    }
}

static double now(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *to = NULL, *from = NULL; double rate = 10000, seconds = 5; int batch = 32; long count = -1; int junk = 0;
    int i;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--to") && i + 1 < argc) to = argv[++i];
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--count") && i + 1 < argc) count = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--from") && i + 1 < argc) from = argv[++i];
        else if (!strcmp(argv[i], "--junk") && i + 1 < argc) junk = atoi(argv[++i]);
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (!to || (i >= argc && junk <= 0)) { fprintf(stderr, "usage: udp-blast --to 127.0.0.1:PORT [--from ADDR] [--rate N] [--seconds S|--count N] FILE.pcap...|--junk N\n"); return 2; }
    for (; i < argc; i++) load_pcap(argv[i]);
    if (junk > 0) add_payload(calloc(1, junk > 65507 ? 65507 : junk), junk > 65507 ? 65507 : junk);
    if (!npayloads) { fprintf(stderr, "no UDP datagrams in the files\n"); return 2; }
    if (batch < 1) batch = 1;
    if (batch > 1024) batch = 1024;

    char host[64]; const char *colon = strrchr(to, ':');
    if (!colon || colon - to >= (long) sizeof host) { fprintf(stderr, "--to HOST:PORT\n"); return 2; }
    memcpy(host, to, colon - to); host[colon - to] = 0;
    struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
    if (inet_pton(AF_INET, host, &dst.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", host); return 2; }
    if ((ntohl(dst.sin_addr.s_addr) >> 24) != 127) { fprintf(stderr, "refusing non-loopback destination %s\n", host); return 2; }

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (from) {
        struct sockaddr_in src = { .sin_family = AF_INET };
        if (inet_pton(AF_INET, from, &src.sin_addr) != 1 || (ntohl(src.sin_addr.s_addr) >> 24) != 127) {
            fprintf(stderr, "--from needs a loopback address, got %s\n", from); return 2;
        }
        if (bind(fd, (struct sockaddr *) &src, sizeof src) < 0) die("bind");
    } else if (connect(fd, (struct sockaddr *) &dst, sizeof dst) < 0) die("connect");

    struct mmsghdr *msgs = calloc(batch, sizeof *msgs);
    struct iovec *iov = calloc(batch, sizeof *iov);
    long sent = 0, errors = 0, bytes = 0; size_t next = 0;
    // The largest backlog (datagrams due but not yet sent): after the sender was descheduled it catches up
    // at full speed, a burst the collector's socket buffer must absorb. Reported so a loss can be told apart.
    long max_backlog = 0; double max_backlog_at = 0;
    long limit = count >= 0 ? count : (long) (rate * seconds);
    double start = now();
    while (sent + errors < limit) {
        // Pace: never ahead of rate * elapsed; sleep briefly when ahead. A time-bounded run also stops
        // at its deadline when the host cannot keep the rate (the achieved rate is in the output).
        double elapsed = now() - start;
        if (count < 0 && elapsed >= seconds) break;
        long due = (long) (rate * elapsed) + 1;
        if (due > limit) due = limit;
        long todo = due - (sent + errors);
        if (todo > max_backlog) { max_backlog = todo; max_backlog_at = elapsed; }
        if (todo <= 0) {
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (todo > batch) todo = batch;
        for (int k = 0; k < todo; k++) {
            struct payload *pl = &payloads[next];
            next = (next + 1) % npayloads;
            iov[k].iov_base = pl->data; iov[k].iov_len = pl->len;
            memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
            msgs[k].msg_hdr.msg_iov = &iov[k]; msgs[k].msg_hdr.msg_iovlen = 1;
            if (from) { msgs[k].msg_hdr.msg_name = &dst; msgs[k].msg_hdr.msg_namelen = sizeof dst; }
        }
        int n = sendmmsg(fd, msgs, todo, 0);
        if (n < 0) {
            // Loopback refuses (ECONNREFUSED) when nothing listens, ENOBUFS when the send queue is full:
            // count the whole batch as not sent, and go on.
            errors += todo;
            next = (next + npayloads - todo) % npayloads;
            continue;
        }
        for (int k = 0; k < n; k++) bytes += iov[k].iov_len;
        sent += n;
        if (n < todo) next = (next + npayloads - (todo - n)) % npayloads;
    }
    double elapsed = now() - start;
    printf("{\"sent\":%ld,\"send_errors\":%ld,\"bytes\":%ld,\"seconds\":%.3f,\"rate\":%.0f,\"distinct_payloads\":%zu,"
           "\"max_backlog\":%ld,\"max_backlog_at_s\":%.3f}\n",
           sent, errors, bytes, elapsed, sent / elapsed, npayloads, max_backlog, max_backlog_at);
    return 0;
}
