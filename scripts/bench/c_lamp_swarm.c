/*
 * Many raw lamps in one C process, for the fan-out benchmarks only: COUNT TCP connections to
 * 127.0.0.1:PORT read with one epoll loop, so the lamps cost the server under test as little CPU
 * as possible. It connects 500 at a time: in `burst` mode each batch once the one before is
 * established (the kernel's handshake rate: a server that accepts slower overflows its accept
 * queue into SYN retries, as when a crowd of lamps returns at once); in `paced` mode once every
 * lamp before it is synced (the server's own accept-and-sync rate). Then it prints
 * {"synced_ms":T} once every lamp has received 9 bytes (the sync), T from the first connect.
 * Then, for each stdin line "goal N", it answers "armed" and, once every lamp has received N bytes
 * in total, prints {"last":L,"p99":P,"most":M}: the CLOCK_REALTIME times, in ms since the epoch,
 * at which the last lamp and the 99th percentile lamp reached N, and the most bytes any lamp had
 * then (N, unless a lamp counted more than was sent). Exits on stdin EOF.
 *
 * With `ws`, each lamp is a WebSocket lamp of the stand's web port: once connected it sends the
 * upgrade request for /lamp, reads the 101 answer's head, and from then on counts only the payload
 * bytes of the server's binary (and continuation) frames, so the byte goals above mean the same
 * frames as over TCP; control frames are passed over, and a close frame counts as a lost lamp.
 *
 * Usage: c_lamp_swarm PORT COUNT burst|paced [ws]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 500, SYNC_BYTES = 9 };

/* Where a WebSocket lamp is in what the server sends. */
enum { HEAD, FRAME_HEADER, PAYLOAD };
struct ws_lamp {
  unsigned char phase;
  unsigned char matched;  /* bytes of "\r\n\r\n" matched (HEAD), of the header held
                             (FRAME_HEADER), of a close frame's code held (PAYLOAD) */
  unsigned char need;     /* FRAME_HEADER: the header's length, once its second byte is in */
  unsigned char counted;  /* PAYLOAD: a data frame's (counted) or a control frame's */
  unsigned char closing;  /* PAYLOAD: a close frame's (its code is kept in header[0..1]) */
  unsigned char header[10];
  long seen;              /* HEAD: bytes of the answer so far */
  unsigned long long remaining; /* PAYLOAD: bytes of the frame still to come */
};
static const char STATUS[] = "HTTP/1.1 101";

static int count;
static long *received;      /* bytes per lamp */
static double *arrived;     /* when each lamp reached the goal */
static long goal;
static int remaining;       /* lamps below the goal */
static struct ws_lamp *ws;  /* per lamp, in ws mode (else NULL) */

static double now_ms(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void set_goal(long bytes) {
  goal = bytes;
  remaining = 0;
  for (int i = 0; i < count; i++) {
    if (received[i] < goal) remaining++;
    else arrived[i] = now_ms(CLOCK_REALTIME);
  }
}

/* Lamp i received n more bytes of frames. */
static void add(int i, long n) {
  long before = received[i];
  received[i] += n;
  if (before < goal && received[i] >= goal) {
    arrived[i] = now_ms(CLOCK_REALTIME);
    remaining--;
  }
}

/* Passes WebSocket lamp i's bytes through its parser; returns 0 once it is refused or closed. */
static int ws_consume(int i, const unsigned char *p, ssize_t n) {
  struct ws_lamp *w = &ws[i];
  for (ssize_t at = 0; at < n;) {
    if (w->phase == HEAD) {
      unsigned char c = p[at++];
      if (w->seen < (long)sizeof STATUS - 1 && c != (unsigned char)STATUS[w->seen]) {
        fprintf(stderr, "c_lamp_swarm: lamp %d: the server did not answer 101 (byte %ld)\n", i,
                w->seen);
        return 0;
      }
      w->seen++;
      w->matched = c == (unsigned char)"\r\n\r\n"[w->matched] ? w->matched + 1 : c == '\r';
      if (w->matched == 4) w->phase = FRAME_HEADER, w->matched = 0, w->need = 2;
    } else if (w->phase == FRAME_HEADER) {
      w->header[w->matched++] = p[at++];
      if (w->matched == 2) {
        if (w->header[1] & 0x80) {
          fprintf(stderr, "c_lamp_swarm: lamp %d: the server masked a frame\n", i);
          return 0;
        }
        unsigned len7 = w->header[1] & 0x7f;
        w->need = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
      }
      if (w->matched < 2 || w->matched < w->need) continue;
      unsigned long long length = w->header[1] & 0x7f;
      if (w->need > 2) {
        length = 0;
        for (int k = 2; k < w->need; k++) length = length << 8 | w->header[k];
      }
      unsigned opcode = w->header[0] & 0x0f;
      w->counted = opcode == 0 || opcode == 2;
      w->closing = opcode == 8;
      w->remaining = length;
      w->matched = 0;
      w->phase = length > 0 ? PAYLOAD : FRAME_HEADER;
    } else {
      unsigned long long left = (unsigned long long)(n - at);
      long take = (long)(w->remaining < left ? w->remaining : left);
      if (w->counted) add(i, take);
      for (long k = 0; w->closing && k < take && w->matched < 2; k++) {
        w->header[w->matched++] = p[at + k];
      }
      w->remaining -= (unsigned long long)take;
      at += take;
      if (w->remaining == 0) w->phase = FRAME_HEADER;
    }
    if (w->closing && w->phase == FRAME_HEADER) {
      fprintf(stderr, "c_lamp_swarm: lamp %d: the server closed the WebSocket (%d)\n", i,
              w->matched == 2 ? w->header[0] << 8 | w->header[1] : 1005);
      return 0;
    }
  }
  return 1;
}

/* Sends lamp i's upgrade request for /lamp; returns 0 when it could not. */
static int ws_upgrade(int fd, int port) {
  char request[256];
  int length = snprintf(request, sizeof request,
                        "GET /lamp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n",
                        port);
  return write(fd, request, (size_t)length) == length;
}

/* Reads what lamp i has; returns 0 when it is gone. */
static int read_lamp(int fd, int i) {
  unsigned char buffer[256];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      if (!ws) add(i, n);
      else if (!ws_consume(i, buffer, n)) return 0;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
    if (n < 0) perror("c_lamp_swarm: read");
    else fprintf(stderr, "c_lamp_swarm: lamp %d: the server closed the connection\n", i);
    return 0;
  }
}

int main(int argc, char **argv) {
  if ((argc != 4 && !(argc == 5 && strcmp(argv[4], "ws") == 0)) ||
      (strcmp(argv[3], "burst") != 0 && strcmp(argv[3], "paced") != 0)) {
    fprintf(stderr, "usage: c_lamp_swarm PORT COUNT burst|paced [ws]\n");
    return 2;
  }
  int paced = strcmp(argv[3], "paced") == 0;
  int port = atoi(argv[1]);
  count = atoi(argv[2]);
  received = calloc((size_t)count, sizeof *received);
  arrived = calloc((size_t)count, sizeof *arrived);
  double *sorted = calloc((size_t)count, sizeof *sorted);
  int *fds = calloc((size_t)count, sizeof *fds);
  if (argc == 5) ws = calloc((size_t)count, sizeof *ws);
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  int poll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.u32 = (unsigned)count}; /* count: stdin */
  epoll_ctl(poll, EPOLL_CTL_ADD, 0, &event);

  set_goal(SYNC_BYTES);
  double started = now_ms(CLOCK_MONOTONIC);
  int connected = 0, establishing = 0, synced_told = 0, stdin_open = 1;
  while (stdin_open) {
    /* The next batch: once the last is established (burst), or all so far are synced (paced). */
    if (connected < count && (paced ? remaining == count - connected : establishing == 0)) {
      for (int i = connected; i < count && i < connected + BATCH; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (fds[i] < 0 || (connect(fds[i], (struct sockaddr *)&server, sizeof server) != 0 &&
                           errno != EINPROGRESS)) {
          perror("c_lamp_swarm: connect");
          return 1;
        }
        event.events = EPOLLIN | EPOLLOUT;
        event.data.u32 = (unsigned)i;
        epoll_ctl(poll, EPOLL_CTL_ADD, fds[i], &event);
        establishing++;
      }
      connected = connected + BATCH < count ? connected + BATCH : count;
    }
    struct epoll_event ready[256];
    int n = epoll_wait(poll, ready, 256, -1);
    for (int k = 0; k < n; k++) {
      unsigned i = ready[k].data.u32;
      if (i == (unsigned)count) { /* stdin: "goal N" lines */
        char line[256];
        ssize_t got = read(0, line, sizeof line - 1);
        if (got <= 0) {
          stdin_open = 0;
          break;
        }
        line[got] = 0;
        for (char *at = strstr(line, "goal "); at; at = strstr(at + 5, "goal ")) {
          set_goal(atol(at + 5));
          printf("armed\n");
          fflush(stdout);
        }
        continue;
      }
      if (ready[k].events & EPOLLOUT) {
        event.events = EPOLLIN;
        event.data.u32 = i;
        epoll_ctl(poll, EPOLL_CTL_MOD, fds[i], &event); /* established: only reads now */
        establishing--;
        if (ws && !ws_upgrade(fds[i], port)) {
          perror("c_lamp_swarm: upgrade request");
          return 1;
        }
      }
      if (ready[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (!read_lamp(fds[i], (int)i)) {
          fprintf(stderr, "c_lamp_swarm: lamp %u lost its connection\n", i);
          return 1;
        }
      }
    }
    if (remaining == 0 && connected == count) {
      if (!synced_told) {
        printf("{\"synced_ms\":%.3f}\n", now_ms(CLOCK_MONOTONIC) - started);
        synced_told = 1;
      } else {
        memcpy(sorted, arrived, (size_t)count * sizeof *sorted);
        qsort(sorted, (size_t)count, sizeof *sorted, by_value);
        int p99 = (int)((count * 99 + 99) / 100) - 1;
        long most = 0;
        for (int k = 0; k < count; k++) most = received[k] > most ? received[k] : most;
        printf("{\"last\":%.3f,\"p99\":%.3f,\"most\":%ld}\n", sorted[count - 1], sorted[p99],
               most);
      }
      fflush(stdout);
      remaining = -1; /* told; wait for the next goal */
    }
  }
  return 0;
}
