/*
 * A fast reader for a lamp's log, for the logged-lines benchmark only: it runs PROGRAM with its
 * stdout into a pipe and reads that pipe in 1 MiB reads, counting lines, so the reader is never
 * what limits a lamp's logging rate. MARKER is the lamp's last line: it is looked for only in the
 * last 4 KiB of each read (a search of every byte would cost more than writing the lines). On its own stdout it prints {"pid":P} once the program runs,
 * {"at":T,"lines":N} when MARKER is first read (T: CLOCK_REALTIME in ms since the epoch; N:
 * lines read up to and including that read), and {"lines":N} when the pipe ends. SIGTERM is
 * passed on to the program; it exits when the program has closed its stdout.
 *
 * Usage: c_line_sink MARKER PROGRAM [ARG…]
 */
#define _GNU_SOURCE /* memmem */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { READ_BYTES = 1 << 20 };

static pid_t program;

static void pass_on(int signal) {
  kill(program, signal);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: c_line_sink MARKER PROGRAM [ARG…]\n");
    return 2;
  }
  const char *marker = argv[1];
  size_t marker_length = strlen(marker);
  int out[2];
  if (marker_length == 0 || marker_length > 256 || pipe(out) != 0) return 2;
  program = fork();
  if (program == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execvp(argv[2], argv + 2);
    perror("c_line_sink: exec");
    _exit(127);
  }
  close(out[1]);
  signal(SIGTERM, pass_on);
  printf("{\"pid\":%d}\n", (int)program);
  fflush(stdout);

  /* The marker may straddle two reads: keep its length - 1 bytes before each read. */
  enum { SEARCHED = 4096 };
  char *buffer = malloc(256 + READ_BYTES);
  size_t kept = 0;
  unsigned long long lines = 0;
  int found = 0;
  for (;;) {
    ssize_t n = read(out[0], buffer + kept, READ_BYTES);
    if (n < 0) continue; /* EINTR: a signal was passed on */
    if (n == 0) break;
    for (char *at = buffer + kept, *end = at + n; (at = memchr(at, '\n', (size_t)(end - at)));
         at++) {
      lines++;
    }
    size_t length = kept + (size_t)n;
    size_t from = length > SEARCHED ? length - SEARCHED : 0;
    if (!found && memmem(buffer + from, length - from, marker, marker_length)) {
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      printf("{\"at\":%.3f,\"lines\":%llu}\n", (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6,
             lines);
      fflush(stdout);
      found = 1;
    }
    kept = length < marker_length - 1 ? length : marker_length - 1;
    memmove(buffer, buffer + length - kept, kept);
  }
  printf("{\"lines\":%llu}\n", lines);
  int status = 0;
  waitpid(program, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
