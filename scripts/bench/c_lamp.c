/*
 * Reference lamp in C for the end-to-end benchmark only (a comparator, never shipped): what a
 * careful C program does with the lamp protocol. It reads into 64 KiB, walks the frame headers,
 * applies ON (0x12/0), OFF (0x13/0) and COLOR (0x20/3) to its state, skips unknown types with
 * their value and counts malformed frames (a known type with a wrong length). A frame cut by a
 * read is carried (at most 6 bytes: header + COLOR value) or, when longer, skipped across reads.
 *
 * With --log text|json it writes one line per applied command in flashlight's log format, all
 * lines of one read in one write(2), with the time taken once per read.
 *
 * On EOF it prints {"applied","unknown","malformed","on","color","peak_rss"} to stderr, closes
 * the socket and exits 0.
 *
 * Usage: c_lamp PORT [--log text|json]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { READ_BYTES = 64 * 1024, LOG_NONE = 0, LOG_TEXT = 1, LOG_JSON = 2 };

static unsigned long long applied, unknown, malformed;
static int on;
static unsigned color = 0xffffff;

static int log_mode = LOG_NONE;
static char *out;          /* the lines of one read */
static size_t out_length;
static char stamp[32];     /* ISO-8601 UTC time with milliseconds, set once per read */
static size_t stamp_length;
static char address[32];   /* 127.0.0.1:PORT */
static size_t address_length;

static void take_time(void) {
  struct timespec now;
  struct tm utc;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &utc);
  size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  stamp_length = n + (size_t)snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", now.tv_nsec / 1000000);
}

static char *put(char *p, const char *text, size_t length) {
  memcpy(p, text, length);
  return p + length;
}
#define PUT(p, literal) put((p), (literal), sizeof(literal) - 1)

static char *put_color(char *p, unsigned rgb) {
  static const char digits[] = "0123456789abcdef";
  *p++ = '#';
  for (int shift = 20; shift >= 0; shift -= 4) *p++ = digits[(rgb >> shift) & 0xf];
  return p;
}

/* One line for the command just applied (name "ON"/"OFF"/"COLOR", value shown for COLOR). */
static void log_line(const char *name, size_t name_length, int has_value) {
  char *p = out + out_length;
  if (log_mode == LOG_TEXT) {
    p = put(p, stamp, stamp_length);
    p = PUT(p, " info  command address=");
    p = put(p, address, address_length);
    p = PUT(p, " command=");
    p = put(p, name, name_length);
    if (has_value) p = put_color(PUT(p, " value="), color);
    p = on ? PUT(p, " on=true color=") : PUT(p, " on=false color=");
    p = put_color(p, color);
  } else {
    p = PUT(p, "{\"time\":\"");
    p = put(p, stamp, stamp_length);
    p = PUT(p, "\",\"level\":\"info\",\"event\":\"command\",\"address\":\"");
    p = put(p, address, address_length);
    p = PUT(p, "\",\"command\":\"");
    p = put(p, name, name_length);
    p = PUT(p, "\",\"value\":\"");
    if (has_value) p = put_color(p, color);
    p = on ? PUT(p, "\",\"on\":true,\"color\":\"") : PUT(p, "\",\"on\":false,\"color\":\"");
    p = PUT(put_color(p, color), "\"}");
  }
  *p++ = '\n';
  out_length = (size_t)(p - out);
}

static void apply(unsigned char type, const unsigned char *value, unsigned length) {
  if (type == 0x12 || type == 0x13) {
    if (length != 0) {
      malformed++;
      return;
    }
    on = type == 0x12;
    applied++;
    if (log_mode) log_line(on ? "ON" : "OFF", on ? 2 : 3, 0);
  } else if (type == 0x20) {
    if (length != 3) {
      malformed++;
      return;
    }
    color = ((unsigned)value[0] << 16) | ((unsigned)value[1] << 8) | value[2];
    applied++;
    if (log_mode) log_line("COLOR", 5, 1);
  } else {
    unknown++;
  }
}

static void write_all(int fd, const char *bytes, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, bytes, length);
    if (n <= 0) exit(1);
    bytes += n;
    length -= (size_t)n;
  }
}

static long peak_rss(void) {
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (status && fgets(line, sizeof line, status)) {
    if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) break;
  }
  if (status) fclose(status);
  return kb * 1024;
}

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--log") == 0)) {
    fprintf(stderr, "usage: c_lamp PORT [--log text|json]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  if (argc == 4) log_mode = strcmp(argv[3], "json") == 0 ? LOG_JSON : LOG_TEXT;
  address_length = (size_t)snprintf(address, sizeof address, "127.0.0.1:%d", port);
  /* The longest line is ~160 bytes; one read holds at most READ_BYTES / 3 commands. */
  if (log_mode) out = malloc((READ_BYTES / 3 + 1) * 192);

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
    perror("c_lamp: connect");
    return 1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  static unsigned char buffer[READ_BYTES];
  size_t carried = 0; /* bytes of a cut frame kept at the start of the buffer */
  size_t skip = 0;    /* value bytes of a long cut frame still to skip */
  for (;;) {
    ssize_t n = read(fd, buffer + carried, sizeof buffer - carried);
    if (n <= 0) break;
    size_t end = carried + (size_t)n, offset = 0;
    if (skip > 0) {
      offset = skip < end ? skip : end;
      skip -= offset;
    }
    if (log_mode) {
      take_time();
      out_length = 0;
    }
    while (end - offset >= 3) {
      unsigned char type = buffer[offset];
      unsigned length = ((unsigned)buffer[offset + 1] << 8) | buffer[offset + 2];
      if (end - offset - 3 >= length) {
        apply(type, buffer + offset + 3, length);
        offset += 3 + length;
      } else {
        if (length > 3) { /* never applied: classify now, skip the rest as it comes */
          apply(type, NULL, length);
          skip = length - (end - offset - 3);
          offset = end;
        }
        break;
      }
    }
    carried = end - offset;
    memmove(buffer, buffer + offset, carried);
    if (log_mode && out_length > 0) write_all(1, out, out_length);
  }
  fprintf(stderr,
          "{\"applied\":%llu,\"unknown\":%llu,\"malformed\":%llu,\"on\":%s,\"color\":\"#%06x\","
          "\"peak_rss\":%ld}\n",
          applied, unknown, malformed, on ? "true" : "false", color, peak_rss());
  close(fd);
  return 0;
}
