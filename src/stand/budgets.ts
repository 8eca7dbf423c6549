/**
 * How many connections each of the stand's ports may hold, and how many lamp workers it runs:
 * decided once at start from the descriptors free (or from flags) and never changed. A reserve
 * stays free for the stand itself and each port's budget is its own, as nginx and HAProxy budget
 * connections: a flood on one port, of any size, is refused or shed on that port and never takes
 * another port's places. Pure but for the one measurement it is given.
 *
 * @module
 */
import type { LogRecord } from "../log/log_line.ts";
import { type FreeDescriptors, freeDescriptors } from "./server/free_descriptors.ts";

/** Connections each port may hold at once. */
export interface Budgets {
  /** Lamp connections (TLS handshakes included), over all lamp workers. */
  readonly lamps: number;
  /** API connections. */
  readonly api: number;
  /** Page connections, WebSockets included. */
  readonly web: number;
}

/** What the stand asks for: lamp workers, and the budgets flags give (`--max-lamps`, …). */
export interface BudgetRequest extends Partial<Budgets> {
  /** Lamp workers asked for (1: the main thread serves the lamps). */
  readonly workers: number;
}

/** The budgets decided at start, and what they were decided from. */
export interface BudgetPlan extends Budgets {
  /** Lamp workers that fit (1: the main thread serves the lamps). */
  readonly workers: number;
  /** Descriptors the budgets need beyond those free (0: they fit; more only when flags ask). */
  readonly shortfall: number;
  /** The descriptors found free, and how. */
  readonly found: FreeDescriptors;
}

/** The most each port gets unless a flag says otherwise (all of it when nothing is known). */
export const DEFAULT_BUDGETS: Budgets = { lamps: 16_384, api: 256, web: 256 };

/** Descriptors the stand keeps for itself: runtime, stdio, listeners, broker, each refusal's accept. */
const RESERVE = 48;
/** Descriptors one lamp worker takes (measured: 7 on Linux with Deno 2.9). */
const PER_WORKER = 8;
/** Lamp workers take at most a quarter of the free descriptors; the rest is for connections. */
const WORKER_SHARE = 4;
/** The API and the page each get 1/16 of the descriptors left for connections (8 to 256). */
const HTTP_SHARE = 16;
const MIN_HTTP = 8;

/**
 * Decides the workers and budgets: workers take at most a quarter of the free descriptors, the
 * reserve stays free, the API and the page get 1/16 each of the rest (8 to 256) and lamps what is
 * left (at most 16,384). A budget given by a flag is kept as given; when the flags ask for more
 * than is free, `shortfall` says by how much.
 *
 * @param request The workers asked for, and the budgets flags give.
 * @param measure Finds the free descriptors, up to the number it is given (the most the
 *   request needs: the reserve, the workers', every budget).
 * @returns The plan.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { planBudgets } from "./budgets.ts";
 * const plan = planBudgets({ workers: 2 }, () => ({ free: 234, source: "count" }));
 * assertEquals([plan.workers, plan.lamps, plan.api, plan.web, plan.shortfall], [2, 150, 10, 10, 0]);
 * ```
 */
export function planBudgets(
  request: BudgetRequest,
  measure: (wanted: number) => FreeDescriptors = freeDescriptors,
): BudgetPlan {
  const found = measure(descriptorsWanted(request));
  const workers = workersThatFit(request.workers, found.free);
  const room = Math.max(0, found.free - RESERVE - (workers > 1 ? PER_WORKER * workers : 0));
  const share = Math.max(MIN_HTTP, Math.floor(room / HTTP_SHARE));
  const api = request.api ?? Math.min(DEFAULT_BUDGETS.api, share);
  const web = request.web ?? Math.min(DEFAULT_BUDGETS.web, share);
  const lamps = request.lamps ?? Math.max(1, Math.min(DEFAULT_BUDGETS.lamps, room - api - web));
  const shortfall = Math.max(0, lamps + api + web - room);
  return { workers, lamps, api, web, shortfall, found };
}

/**
 * The `limits` log record of a plan: where the budgets came from and what they are.
 *
 * @param plan The plan.
 * @returns The record (log it at `warn` when `plan.shortfall` is over 0).
 */
export function limitsRecord(plan: BudgetPlan): LogRecord {
  const number = (value: number | undefined) =>
    value === undefined ? "unknown" : Number.isFinite(value) ? value : "unlimited";
  const { found } = plan;
  return {
    event: "limits",
    source: found.source,
    open_files: number(found.limit),
    free_descriptors: Number.isFinite(found.free) ? found.free : "unknown",
    max_lamps: plan.lamps,
    max_api: plan.api,
    max_web: plan.web,
    ...plan.shortfall > 0
      ? {
        shortfall: plan.shortfall,
        reason:
          `the budgets need ${plan.shortfall} descriptors more than are free: a flood can run the stand out of them (raise ulimit -n or lower --max-lamps, --max-api, --max-page)`,
      }
      : {},
  };
}

/**
 * Plans the stand's budgets from its options (lamp workers only on Linux, where SO_REUSEPORT
 * spreads connections over listeners) and logs them: `limits`, and `lamp_workers_reduced` when
 * fewer workers fit than were asked for.
 *
 * @param options The stand's worker count and `--max-*` budgets.
 * @param log The stand's log.
 * @returns The plan.
 */
export function standBudgets(
  options: {
    readonly workers?: number;
    readonly maxLamps?: number;
    readonly maxApiConnections?: number;
    readonly maxWebConnections?: number;
  },
  log: (record: LogRecord, level: "info" | "warn") => void,
): BudgetPlan {
  const requested = Deno.build.os === "linux" ? options.workers ?? 1 : 1;
  const plan = planBudgets({
    workers: requested,
    lamps: options.maxLamps,
    api: options.maxApiConnections,
    web: options.maxWebConnections,
  });
  log(limitsRecord(plan), plan.shortfall > 0 ? "warn" : "info");
  if (plan.workers < requested) {
    log({
      event: "lamp_workers_reduced",
      requested,
      workers: plan.workers,
      reason: `the open-file limit leaves too few descriptors for ${requested} (ulimit -n)`,
    }, "warn");
  }
  return plan;
}

/** `requested` workers, or fewer so that they take at most a quarter of `free`; 1 when not two fit. */
function workersThatFit(requested: number, free: number): number {
  if (requested <= 1) return 1;
  const fit = Math.floor(free / (WORKER_SHARE * PER_WORKER));
  return fit >= requested ? requested : fit >= 2 ? fit : 1;
}

/** The most descriptors a request needs (the reserve, the workers', every budget): counting stops there. */
function descriptorsWanted(request: BudgetRequest): number {
  const workers = request.workers > 1 ? request.workers : 0;
  const budgets = (request.lamps ?? DEFAULT_BUDGETS.lamps) + (request.api ?? DEFAULT_BUDGETS.api) +
    (request.web ?? DEFAULT_BUDGETS.web);
  return RESERVE + Math.max(PER_WORKER * workers + budgets, WORKER_SHARE * PER_WORKER * workers);
}
