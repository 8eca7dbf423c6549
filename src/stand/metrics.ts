/**
 * The stand's metrics in the Prometheus text format (version 0.0.4), served on `GET /metrics`.
 *
 * Written here rather than with `prom-client`: its dependency `tdigest` makes `deno compile`
 * (Deno 2.9.6) overflow its stack, so the single binary could not be built (measured). Counters
 * and gauges with labels are all the stand needs.
 *
 * @module
 */
import process from "node:process";
import type { BrokerStatus } from "./broker/broker.ts";

/** What the gauges read when scraped. */
export interface MetricSources {
  /** Lamps connected to this instance. */
  lamps(): number;
  /** Browsers connected to this instance. */
  browsers(): number;
  /** Bytes queued for lamps, not yet written. */
  queuedBytes(): number;
  /** The broker's state. */
  broker(): BrokerStatus;
}

/** Reasons for refusals, by HTTP status (the `reason` label of `flashlight_requests_refused_total`). */
const REFUSAL_REASONS: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "foreign_origin",
  404: "not_found",
  405: "method_not_allowed",
  408: "timeout",
  413: "too_large",
  421: "wrong_host",
  422: "invalid",
  426: "upgrade_required",
  431: "headers_too_large",
  500: "internal",
  503: "unavailable",
};

const escapeLabel = (value: string) =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
const escapeHelp = (text: string) => text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");

/** A counter, optionally split by one label. */
export class Counter {
  #values = new Map<string, number>();
  readonly #name: string;
  readonly #help: string;
  readonly #label?: string;

  /**
   * A counter at zero.
   * @param name The metric name (ends in `_total`).
   * @param help What it counts.
   * @param label The one label it is split by, if any.
   */
  constructor(name: string, help: string, label?: string) {
    this.#name = name;
    this.#help = help;
    this.#label = label;
  }

  /**
   * Adds one (to the series of `labelValue`).
   * @param labelValue The label's value, when the counter has a label.
   */
  inc(labelValue = ""): void {
    this.#values.set(labelValue, (this.#values.get(labelValue) ?? 0) + 1);
  }

  /**
   * The counter in the exposition format.
   * @returns The exposition lines.
   */
  lines(): string[] {
    const series = this.#label === undefined
      ? [`${this.#name} ${this.#values.get("") ?? 0}`]
      : [...this.#values].map(([value, count]) =>
        `${this.#name}{${this.#label}="${escapeLabel(value)}"} ${count}`
      );
    return [
      `# HELP ${this.#name} ${escapeHelp(this.#help)}`,
      `# TYPE ${this.#name} counter`,
      ...series,
    ];
  }
}

function sampleLines(
  type: "gauge" | "counter",
  name: string,
  help: string,
  value: number,
): string[] {
  const text = Number.isFinite(value) ? String(value) : "NaN";
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, `${name} ${text}`];
}
const gaugeLines = (name: string, help: string, value: number) =>
  sampleLines("gauge", name, help, value);
/** A total kept elsewhere (the broker's counters), read at scrape time. */
const totalLines = (name: string, help: string, value: number) =>
  sampleLines("counter", name, help, value);

/**
 * The stand's counters and gauges. The counters exist from the start; the gauges read their
 * sources when scraped, once {@linkcode StandMetrics.observe} gave them.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { StandMetrics } from "./metrics.ts";
 * const metrics = new StandMetrics();
 * metrics.observe({
 *   lamps: () => 3,
 *   browsers: () => 1,
 *   queuedBytes: () => 0,
 *   broker: () => ({
 *     kind: "in-process",
 *     connected: true,
 *     caught_up: true,
 *     lag: 0,
 *     counters: {
 *       delivered: 0,
 *       skipped_messages: 0,
 *       skipped_state_entries: 0,
 *       gaps: 0,
 *       gap_entries: 0,
 *       state_restores: 0,
 *     },
 *   }),
 * });
 * metrics.delivered.inc();
 * metrics.refusal(413);
 * const text = metrics.text();
 * assertStringIncludes(text, "flashlight_lamps 3");
 * assertStringIncludes(text, 'flashlight_requests_refused_total{reason="too_large"} 1');
 * ```
 */
export class StandMetrics {
  /** Commands accepted from the API or the page (published to the broker). */
  readonly accepted = new Counter(
    "flashlight_commands_accepted_total",
    "Commands accepted from the API or the page.",
  );
  /** Commands delivered to this instance's lamps. */
  readonly delivered = new Counter(
    "flashlight_commands_delivered_total",
    "Commands delivered to this instance's lamps.",
  );
  /** Lamps dropped, by reason. */
  readonly dropped = new Counter(
    "flashlight_lamps_dropped_total",
    "Lamps dropped, by reason.",
    "reason",
  );
  /** Connections closed at once because their port was full, by port. */
  readonly overCap = new Counter(
    "flashlight_connections_over_cap_total",
    "Connections closed at once because their port was full.",
    "port",
  );
  /** Idle connections closed to admit a new one because their port was full, by port. */
  readonly shed = new Counter(
    "flashlight_connections_shed_total",
    "Idle connections (no whole request yet) closed to admit a new one on a full port.",
    "port",
  );
  /** TLS handshakes that failed (no or an untrusted client certificate, not TLS…), by port. */
  readonly handshakeFailed = new Counter(
    "flashlight_tls_handshakes_failed_total",
    "TLS handshakes that failed (a missing or untrusted client certificate, not TLS, too slow).",
    "port",
  );
  /** The exposition's content type. */
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  #refused = new Counter(
    "flashlight_requests_refused_total",
    "Requests and page messages refused, by reason.",
    "reason",
  );
  #sources: MetricSources | undefined;

  /**
   * Counts a refused request or page message.
   * @param status The HTTP status it was answered with.
   */
  refusal(status: number): void {
    this.#refused.inc(REFUSAL_REASONS[status] ?? String(status));
  }

  /**
   * Gives the gauges what they read when scraped.
   * @param sources What they read.
   */
  observe(sources: MetricSources): void {
    this.#sources = sources;
  }

  /**
   * All metrics in the exposition format.
   * @returns The exposition text.
   */
  text(): string {
    const counters = [this.accepted, this.delivered, this.#refused, this.dropped, this.overCap];
    const lines = [...counters, this.shed, this.handshakeFailed].flatMap((counter) =>
      counter.lines()
    );
    const sources = this.#sources;
    if (sources) {
      const memory = Deno.memoryUsage();
      const cpu = process.cpuUsage();
      const broker = sources.broker();
      const counts = broker.counters;
      lines.push(
        ...gaugeLines("flashlight_lamps", "Lamps connected to this instance.", sources.lamps()),
        ...gaugeLines(
          "flashlight_browsers",
          "Browsers connected to this instance.",
          sources.browsers(),
        ),
        ...gaugeLines(
          "flashlight_queue_bytes",
          "Bytes queued for lamps, not yet written.",
          sources.queuedBytes(),
        ),
        ...gaugeLines(
          "flashlight_broker_connected",
          "1 when the broker can take commands.",
          broker.connected ? 1 : 0,
        ),
        ...gaugeLines(
          "flashlight_broker_caught_up",
          "1 when nothing published to the fleet waits to be delivered here.",
          broker.caught_up ? 1 : 0,
        ),
        ...gaugeLines(
          "flashlight_broker_stream_lag",
          "Stream entries published and not yet delivered here.",
          broker.lag,
        ),
        ...totalLines(
          "flashlight_broker_messages_skipped_total",
          "Malformed commands on the broker's stream, logged and skipped.",
          counts.skipped_messages,
        ),
        ...totalLines(
          "flashlight_broker_state_entries_skipped_total",
          "Malformed entries in the stored state, logged and ignored.",
          counts.skipped_state_entries,
        ),
        ...totalLines(
          "flashlight_broker_gaps_total",
          "Times what followed this instance's place in the stream was gone (trimmed, deleted).",
          counts.gaps,
        ),
        ...totalLines(
          "flashlight_broker_state_restores_total",
          "Times this instance wrote back state entries Redis had lost.",
          counts.state_restores,
        ),
        ...gaugeLines("process_resident_memory_bytes", "Resident memory, in bytes.", memory.rss),
        ...gaugeLines("process_heap_bytes", "JavaScript heap in use, in bytes.", memory.heapUsed),
        ...totalLines(
          "process_cpu_seconds_total",
          "User and system CPU time, in seconds.",
          (cpu.user + cpu.system) / 1e6,
        ),
        ...openFdLines(),
      );
    }
    return lines.join("\n") + "\n";
  }
}

/**
 * `process_open_fds` where the process may count its descriptors (Linux, with the permission to
 * read `/proc/self/fd`, which the shipped permission set does not grant: Deno asks for all
 * permissions there); otherwise no sample at all, as exporters do for what they cannot read.
 */
function openFdLines(): string[] {
  let count = 0;
  try {
    for (const _ of Deno.readDirSync("/proc/self/fd")) count++;
  } catch {
    return [];
  }
  return gaugeLines("process_open_fds", "Open file descriptors.", count);
}
