// udp-sink: the kernel's delivery limit. A minimal receiver that drains ONE UDP socket with recvmmsg
// and does nothing else; run it while udp-blast sends, and it prints how many datagrams reached it and
// how many the kernel dropped on its socket (SO_RXQ_OVFL), as one JSON line.
//
//   udp-sink --port 9999 --seconds 6 [--rcvbuf BYTES]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SLOT 9216

static double now(void) {
    struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int port = 0, rcvbuf = 32 << 20; double seconds = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--rcvbuf") && i + 1 < argc) rcvbuf = atoi(argv[++i]);
        else { fprintf(stderr, "usage: udp-sink --port N [--seconds S] [--rcvbuf BYTES]\n"); return 2; }
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int one = 1;
    // As root, RCVBUFFORCE passes net.core.rmem_max; a collector without a large buffer drops bursts.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *) &a, sizeof a) < 0) { perror("bind"); return 2; }
    fprintf(stderr, "udp-sink: listening on 127.0.0.1:%d\n", port);

    static uint8_t bufs[BATCH][SLOT];
    static char ctl[BATCH][64];
    struct mmsghdr msgs[BATCH]; struct iovec iov[BATCH];
    long received = 0, bytes = 0; uint32_t drops = 0;
    double first = 0, last = 0, deadline = now() + seconds;
    while (now() < deadline) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 50) <= 0) continue;
        for (int k = 0; k < BATCH; k++) {
            iov[k].iov_base = bufs[k]; iov[k].iov_len = SLOT;
            memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
            msgs[k].msg_hdr.msg_iov = &iov[k]; msgs[k].msg_hdr.msg_iovlen = 1;
            msgs[k].msg_hdr.msg_control = ctl[k]; msgs[k].msg_hdr.msg_controllen = sizeof ctl[k];
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) continue;
        double t = now();
        if (!first) first = t;
        last = t;
        received += n;
        for (int k = 0; k < n; k++) {
            bytes += msgs[k].msg_len;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[k].msg_hdr); c; c = CMSG_NXTHDR(&msgs[k].msg_hdr, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) memcpy(&drops, CMSG_DATA(c), 4);
        }
    }
    double span = last > first ? last - first : 0;
    printf("{\"received\":%ld,\"bytes\":%ld,\"socket_drops\":%u,\"active_seconds\":%.3f,\"rate\":%.0f}\n",
           received, bytes, drops, span, span > 0 ? received / span : 0);
    return 0;
}
