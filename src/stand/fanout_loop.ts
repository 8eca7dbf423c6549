/**
 * The stand's write path to its lamps: one shared loop that writes each batch of frames to every
 * lamp in turn, a few writes in flight at a time, because on Deno that is what reaches 10,000
 * lamps fastest (every write in flight at once costs twice as much per write).
 *
 * @module
 */
import { concat } from "@std/bytes/concat";
import type { LampPeer } from "./lamp_peer.ts";

/** How the loop writes. */
export interface FanoutOptions {
  /** Bytes a lamp may have waiting (broadcast, not yet written) before it is dropped. */
  readonly queueLimit: number;
  /** Writes in flight at once (default 4). */
  readonly lanes?: number;
  /** A write not complete after this long (at most twice this) leaves the loop (default 10 ms). */
  readonly stallMs?: number;
}

/** One batch of frames on its way to the lamps that were in the loop when it started. */
interface Pass {
  /** The frames, and the number of the first one. */
  readonly frames: readonly Uint8Array[];
  readonly first: number;
  /** The frames joined: what most lamps get, in one write. */
  readonly batch: Uint8Array;
  /** The lamps, in order; `cursor` is the next one a lane takes. */
  readonly peers: readonly LampPeer[];
  cursor: number;
  /** Its writers; `active` of them still writing (the pass is over when the last one ends). */
  readonly lanes: Lane[];
  active: number;
  readonly done: PromiseWithResolvers<void>;
}

/** One writer of a pass: the write it waits for, and whether the watchdog gave up on it. */
interface Lane {
  /** The lamp written to and the bytes, while `writing` is in flight (else `null`). */
  peer: LampPeer | null;
  bytes: Uint8Array;
  writing: Promise<number> | null;
  /** Writes started; `seen`: the one the watchdog last saw in flight (-1: none). */
  started: number;
  seen: number;
  retired: boolean;
}

/**
 * What a lamp still needs of a batch: all of it, or, for a lamp that rejoined the loop after
 * draining some of these frames on its own, the frames from its next one on.
 *
 * @param frames The batch's frames.
 * @param batch The same frames joined.
 * @param first The number of the batch's first frame.
 * @param next The number of the first frame the lamp has not been given.
 * @returns The bytes to write, or `null` when it had them all.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stillNeeded } from "./fanout_loop.ts";
 * const frames = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
 * const batch = Uint8Array.of(1, 2, 3);
 * assertEquals(stillNeeded(frames, batch, 10, 8), batch); // in the loop all along
 * assertEquals(stillNeeded(frames, batch, 10, 11), Uint8Array.of(2, 3)); // had frame 10
 * assertEquals(stillNeeded(frames, batch, 10, 13), null); // had them all
 * ```
 */
export function stillNeeded(
  frames: readonly Uint8Array[],
  batch: Uint8Array,
  first: number,
  next: number,
): Uint8Array | null {
  const skip = next - first;
  if (skip <= 0) return batch;
  if (skip >= frames.length) return null;
  return concat(frames.slice(skip));
}

const DEFAULT_LANES = 4;
const DEFAULT_STALL_MS = 10;

/**
 * Fans frames out to lamps. A lamp is either in the loop (written by the shared lanes, one write
 * per batch) or draining on its own (its own queue): new lamps start on their own with their sync
 * frames; a lamp whose write does not complete at once (a short write, or one still pending when
 * the watchdog looks twice) leaves the loop and drains on its own, so it cannot stall the others;
 * a lamp that has caught up joins the loop again. Frames reach every lamp in the order they were
 * broadcast; a lamp with more than `queueLimit` bytes waiting is dropped.
 *
 * @example
 * ```ts ignore
 * import { FanoutLoop } from "./fanout_loop.ts";
 * const loop = new FanoutLoop({ queueLimit: 1 << 20 });
 * loop.add(peer, syncFrames);
 * loop.broadcast(new Uint8Array([0x12, 0, 0]));
 * ```
 */
export class FanoutLoop {
  #limit: number;
  #lanes: number;
  #stallMs: number;
  #members = new Set<LampPeer>();
  #draining = new Set<LampPeer>();
  /** Frames broadcast so far; the pending ones are numbered from `#pendingFirst`. */
  #sent = 0;
  #pending: Uint8Array[] = [];
  #pendingFirst = 0;
  #pendingBytes = 0;
  #pass: Pass | null = null;
  #running: Promise<void> | null = null;

  /**
   * A loop with no lamps.
   * @param options The queue limit, lanes and stall time.
   */
  constructor(options: FanoutOptions) {
    this.#limit = options.queueLimit;
    this.#lanes = options.lanes ?? DEFAULT_LANES;
    this.#stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  }

  /** Lamps connected (in the loop or draining on their own). */
  get count(): number {
    return this.#members.size + this.#draining.size;
  }

  /** Bytes waiting for all lamps (walks the lamps: for scrapes, not hot paths). */
  get queuedBytes(): number {
    let bytes = this.#members.size * this.#pendingBytes;
    const pass = this.#pass;
    if (pass) bytes += (pass.peers.length - pass.cursor) * pass.batch.length;
    for (const peer of this.#draining) bytes += peer.queuedBytes;
    return bytes;
  }

  /** Every lamp connected, for closing them. */
  peers(): LampPeer[] {
    return [...this.#members, ...this.#draining];
  }

  /**
   * Adds a new lamp: it drains `first` (its sync) on its own, then joins the loop.
   * @param peer The lamp (not yet given anything).
   * @param first Frames it gets before any broadcast after this call.
   */
  add(peer: LampPeer, first: readonly Uint8Array[]): void {
    this.#draining.add(peer);
    for (const frame of first) peer.send(frame);
    if (first.length === 0) this.caughtUp(peer);
  }

  /**
   * A lamp draining on its own has caught up (every frame so far written): back into the loop.
   * @param peer The lamp.
   */
  caughtUp(peer: LampPeer): void {
    if (!this.#draining.delete(peer) || peer.ended) return;
    peer.next = this.#sent;
    this.#members.add(peer);
  }

  /**
   * Forgets a lamp that ended.
   * @param peer The lamp.
   * @returns Whether it was connected.
   */
  remove(peer: LampPeer): boolean {
    return this.#members.delete(peer) || this.#draining.delete(peer);
  }

  /**
   * Sends one frame to every lamp.
   * @param frame The encoded frame (shared; never modified).
   * @returns How many lamps it was queued for.
   */
  broadcast(frame: Uint8Array): number {
    this.#pending.push(frame);
    this.#pendingBytes += frame.length;
    this.#sent++;
    let reached = 0;
    for (const peer of this.#draining) if (peer.send(frame)) reached++;
    this.#dropLagging();
    this.#running ??= this.#run();
    return reached + this.#members.size;
  }

  /**
   * Waits (at most `timeoutMs`) until every batch has been written to the lamps in the loop.
   * @param timeoutMs The most to wait.
   */
  async flush(timeoutMs: number): Promise<void> {
    if (!this.#running) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    await Promise.race([this.#running, timeout]);
    clearTimeout(timer);
  }

  /** Drops the lamps in the loop whose waiting bytes passed the limit (the loop fell behind). */
  #dropLagging(): void {
    const pass = this.#pass;
    const behind = this.#pendingBytes + (pass ? pass.batch.length : 0);
    if (behind <= this.#limit) return;
    const reason = `send queue over ${this.#limit} bytes (lamp not reading)`;
    if (this.#pendingBytes > this.#limit) {
      for (const peer of [...this.#members]) peer.drop(reason, "queue_full");
    } else if (pass) {
      for (const peer of pass.peers.slice(pass.cursor)) {
        if (this.#members.has(peer)) peer.drop(reason, "queue_full");
      }
    }
  }

  async #run(): Promise<void> {
    await Promise.resolve(); // frames broadcast in the same task go out in one batch
    const watchdog = setInterval(() => this.#watch(), this.#stallMs);
    try {
      while (this.#pending.length > 0) {
        const pass = this.#pass = this.#nextPass();
        for (let i = 0; i < this.#lanes; i++) this.#startLane(pass);
        await pass.done.promise;
      }
    } finally {
      clearInterval(watchdog);
      this.#pass = null;
      this.#running = null;
    }
  }

  #nextPass(): Pass {
    const frames = this.#pending;
    const pass: Pass = {
      frames,
      first: this.#pendingFirst,
      batch: frames.length === 1 ? frames[0] : concat(frames),
      peers: [...this.#members],
      cursor: 0,
      lanes: [],
      active: 0,
      done: Promise.withResolvers(),
    };
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#pendingFirst = this.#sent;
    return pass;
  }

  #startLane(pass: Pass): void {
    const lane: Lane = {
      peer: null,
      bytes: pass.batch,
      writing: null,
      started: 0,
      seen: -1,
      retired: false,
    };
    pass.lanes.push(lane);
    pass.active++;
    this.#lane(pass, lane);
  }

  async #lane(pass: Pass, lane: Lane): Promise<void> {
    while (pass.cursor < pass.peers.length) {
      const peer = pass.peers[pass.cursor++];
      if (!this.#members.has(peer)) continue; // ended, or draining on its own
      const bytes = this.#bytesFor(peer, pass);
      if (bytes === null) continue;
      lane.peer = peer;
      lane.bytes = bytes;
      lane.started++;
      let written: number;
      try {
        lane.writing = peer.conn.write(bytes);
        written = await lane.writing;
      } catch (error) {
        if (lane.retired) return;
        lane.peer = lane.writing = null;
        peer.fail(error);
        continue;
      }
      if (lane.retired) return; // the watchdog handed this write to the peer
      lane.peer = lane.writing = null;
      if (written < bytes.length) this.#leave(peer, bytes, null, written);
    }
    if (--pass.active === 0) pass.done.resolve();
  }

  /** What a lamp in the loop still needs of a pass (`null`: nothing). */
  #bytesFor(peer: LampPeer, pass: Pass): Uint8Array | null {
    return stillNeeded(pass.frames, pass.batch, pass.first, peer.next);
  }

  /** A lamp leaves the loop: it finishes `bytes` and then gets what is pending, on its own. */
  #leave(
    peer: LampPeer,
    bytes: Uint8Array,
    writing: Promise<number> | null,
    written: number,
  ): void {
    if (!this.#members.delete(peer)) return;
    this.#draining.add(peer);
    peer.takeOver(bytes, writing, written);
    for (const frame of this.#pending) peer.send(frame);
  }

  /**
   * Every `stallMs`: a lane still waiting for the write it was waiting for at the last look
   * leaves that write to its lamp (which drains on its own from then on) and a new lane goes on.
   */
  #watch(): void {
    const pass = this.#pass;
    if (!pass) return;
    for (const lane of [...pass.lanes]) {
      if (lane.retired || lane.peer === null) continue;
      if (lane.seen !== lane.started) {
        lane.seen = lane.started;
        continue;
      }
      lane.retired = true;
      pass.active--;
      this.#leave(lane.peer, lane.bytes, lane.writing, 0);
      this.#startLane(pass);
    }
  }
}
