/*
 * Many raw lamps in one C process, for the fan-out benchmarks only: COUNT TCP connections to
 * 127.0.0.1:PORT read with one epoll loop, so the lamps cost the server under test as little CPU
 * as possible. It connects 500 at a time: in `burst` mode each batch once the one before is
 * established (the kernel's handshake rate: a server that accepts slower overflows its accept
 * queue into SYN retries, as when a crowd of lamps returns at once); in `paced` mode once every
 * lamp before it is synced (the server's own accept-and-sync rate). Then it prints
 * {"synced_ms":T} once every lamp has received 9 bytes (the sync), T from the first connect.
 * Then, for each stdin line "goal N", it answers "armed" and, once every lamp has received N bytes
 * in total, prints {"last":L,"p99":P}: the CLOCK_REALTIME times, in ms since the epoch, at which
 * the last lamp and the 99th percentile lamp reached N. Exits on stdin EOF.
 *
 * Usage: c_lamp_swarm PORT COUNT burst|paced
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

static int count;
static long *received;      /* bytes per lamp */
static double *arrived;     /* when each lamp reached the goal */
static long goal;
static int remaining;       /* lamps below the goal */

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

/* Reads what lamp i has; returns 0 when it is gone. */
static int read_lamp(int fd, int i) {
  char buffer[256];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      long before = received[i];
      received[i] += n;
      if (before < goal && received[i] >= goal) {
        arrived[i] = now_ms(CLOCK_REALTIME);
        remaining--;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
    return 0;
  }
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[3], "burst") != 0 && strcmp(argv[3], "paced") != 0)) {
    fprintf(stderr, "usage: c_lamp_swarm PORT COUNT burst|paced\n");
    return 2;
  }
  int paced = strcmp(argv[3], "paced") == 0;
  int port = atoi(argv[1]);
  count = atoi(argv[2]);
  received = calloc((size_t)count, sizeof *received);
  arrived = calloc((size_t)count, sizeof *arrived);
  double *sorted = calloc((size_t)count, sizeof *sorted);
  int *fds = calloc((size_t)count, sizeof *fds);
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
        printf("{\"last\":%.3f,\"p99\":%.3f}\n", sorted[count - 1], sorted[p99]);
      }
      fflush(stdout);
      remaining = -1; /* told; wait for the next goal */
    }
  }
  return 0;
}
