/*
 * Reference fan-out server in C for the end-to-end benchmark only (a comparator, never shipped).
 * It speaks the fan-out servers' contract (scripts/bench/fanout_servers.ts): listens on
 * 127.0.0.1, an ephemeral port, backlog 4096, and prints the port; sends every lamp it accepts
 * the 9-byte sync (COLOR #ffffff, OFF); for every `send` line on stdin writes one 6-byte COLOR
 * frame to every lamp, one send(2) each; answers `count` with {"connections":[N]}; exits on stdin
 * EOF. One epoll loop, non-blocking sockets.
 *
 * Usage: c_fanout_server
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int *lamps;
static size_t lamp_count, lamp_capacity;

static void accept_all(int listener) {
  static const unsigned char sync[9] = {0x20, 0, 3, 0xff, 0xff, 0xff, 0x13, 0, 0};
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR) perror("c_fanout_server: accept");
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (send(fd, sync, sizeof sync, MSG_NOSIGNAL) != (ssize_t)sizeof sync) {
      close(fd);
      continue;
    }
    if (lamp_count == lamp_capacity) {
      lamp_capacity = lamp_capacity ? lamp_capacity * 2 : 1024;
      lamps = realloc(lamps, lamp_capacity * sizeof *lamps);
    }
    lamps[lamp_count++] = fd;
  }
}

static void send_to_all(unsigned char shade) {
  unsigned char frame[6] = {0x20, 0, 3, 0x10, 0x20, shade};
  for (size_t i = 0; i < lamp_count; i++) send(lamps[i], frame, sizeof frame, MSG_NOSIGNAL);
}

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in address = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  socklen_t length = sizeof address;
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(listener, 4096) != 0 ||
      getsockname(listener, (struct sockaddr *)&address, &length) != 0) {
    perror("c_fanout_server: listen");
    return 1;
  }
  printf("%d\n", ntohs(address.sin_port));
  fflush(stdout);

  int poll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &event);
  event.data.fd = 0;
  epoll_ctl(poll, EPOLL_CTL_ADD, 0, &event);
  unsigned char shade = 0;
  char first = 0; /* the first character of the stdin line being read */
  for (;;) {
    struct epoll_event ready[16];
    int n = epoll_wait(poll, ready, 16, -1);
    for (int i = 0; i < n; i++) {
      if (ready[i].data.fd == listener) {
        accept_all(listener);
        continue;
      }
      char line[4096];
      ssize_t got = read(0, line, sizeof line);
      if (got <= 0) return 0;
      for (ssize_t j = 0; j < got; j++) {
        if (first == 0) first = line[j];
        if (line[j] != '\n') continue;
        if (first == 'c') {
          printf("{\"connections\":[%zu]}\n", lamp_count);
          fflush(stdout);
        } else {
          send_to_all(shade++);
        }
        first = 0;
      }
    }
  }
}
