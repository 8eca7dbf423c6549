/**
 * A connection served by another thread: the thread that accepted it lends it over a
 * `MessagePort` ({@linkcode lendConn}), and the borrowing thread reads and writes it as a
 * `Deno.Conn` ({@linkcode BorrowedConn}). Reads are pulled (the lender reads only when the
 * borrower asks, at most what it asks for), writes are answered once written, so neither thread
 * buffers more than one read and the writes in flight, and a peer that floods or stalls is held
 * by the borrower's own limits as on a socket of its own. The borrower says when the connection
 * is idle or upgraded, so the lender's budget sheds it as the borrower's own would be.
 *
 * @module
 */
import { closeQuietly } from "../../net/close_quietly.ts";
import type { ConnPlace } from "./http_upgrade.ts";

/** Most bytes one read asks for. */
const MAX_READ = 64 * 1024;
/**
 * How long the borrower's close waits for the writes it sent before it (a WebSocket's close
 * frame, a response's last bytes): they go out as on a socket of its own, unless the peer stalls.
 */
const CLOSE_AFTER_WRITES_MS = 1000;

/** From the borrower to the lender. */
type ToLender =
  | { readonly op: "read"; readonly size: number }
  | { readonly op: "write"; readonly bytes: Uint8Array }
  | { readonly op: "closeWrite" }
  | { readonly op: "idle"; readonly idle: boolean }
  | { readonly op: "upgraded" }
  | { readonly op: "leave" }
  | { readonly op: "close" };

/** From the lender to the borrower. */
type FromLender =
  | { readonly op: "data"; readonly bytes: Uint8Array }
  | { readonly op: "end" }
  | { readonly op: "readFailed"; readonly message: string }
  | { readonly op: "written" }
  | { readonly op: "writeFailed"; readonly message: string }
  /** The connection is closed: nothing more will be answered. */
  | { readonly op: "closed" };

/** A borrowed connection's state in the lender's budget. */
type PlaceState = "idle" | "busy" | "upgraded" | "left";

/** Where a borrowed connection came from, as the lender's socket says. */
export interface LentConnInfo {
  /** The client's address. */
  readonly remote: Deno.NetAddr;
  /** The address the client connected to. */
  readonly local: Deno.NetAddr;
  /** Whether the lender runs TLS on it (the borrower sees plain bytes of a secure connection). */
  readonly secure: boolean;
}

/**
 * Lends a connection to the thread holding the other end of `port`, until either side closes it
 * or `signal` aborts (the connection is closed then).
 *
 * @param conn The connection.
 * @param first Bytes already read from it, given to the borrower first.
 * @param port This thread's end of a channel whose other end goes to the borrower.
 * @param signal Closes the connection when aborted.
 * @param place Its place in the lender's budget, kept as the borrower says (idle, upgraded).
 * @returns Resolves when the connection is closed, or earlier when the borrower takes it out of
 *   the lender's budget (a lamp, in the lamp budget from then on): the lender serves it still,
 *   until either side closes it.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { BorrowedConn, lendConn } from "./lent_conn.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
 * const conn = await listener.accept();
 * const { port1, port2 } = new MessageChannel();
 * const lent = lendConn(conn, Uint8Array.of(1), port1, new AbortController().signal);
 * const borrowed = new BorrowedConn(port2, {
 *   remote: conn.remoteAddr, local: conn.localAddr, secure: false,
 * });
 * await client.write(Uint8Array.of(2));
 * const buffer = new Uint8Array(8);
 * assertEquals(await borrowed.read(buffer), 1);
 * assertEquals(await borrowed.read(buffer), 1);
 * assertEquals(buffer[0], 2);
 * borrowed.close();
 * await lent;
 * client.close();
 * listener.close();
 * ```
 */
export function lendConn(
  conn: Deno.Conn,
  first: Uint8Array,
  port: MessagePort,
  signal: AbortSignal,
  place: ConnPlace = { idle: () => {}, upgraded: () => {} },
): Promise<void> {
  const done = Promise.withResolvers<void>();
  let unread = first;
  let writing = Promise.resolve();
  let over = false;
  const post = (message: FromLender, transfer: Transferable[] = []) => {
    if (!over) port.postMessage(message, transfer);
  };
  const finish = () => {
    if (over) return;
    post({ op: "closed" });
    over = true;
    signal.removeEventListener("abort", finish);
    port.close();
    closeQuietly(conn);
    done.resolve();
  };
  const closeAfterWrites = () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_AFTER_WRITES_MS));
    Promise.race([writing, late]).then(() => {
      clearTimeout(timer);
      finish();
    });
  };
  const read = async (size: number) => {
    if (unread.length > 0) {
      const bytes = unread.slice(0, size);
      unread = unread.subarray(bytes.length);
      return post({ op: "data", bytes }, [bytes.buffer]);
    }
    const buffer = new Uint8Array(Math.min(Math.max(size, 1), MAX_READ));
    try {
      const count = await conn.read(buffer);
      post(count === null ? { op: "end" } : { op: "data", bytes: buffer.subarray(0, count) }, [
        buffer.buffer,
      ]);
    } catch (error) {
      post({ op: "readFailed", message: (error as Error).message });
    }
  };
  const write = async (bytes: Uint8Array) => {
    try {
      for (let written = 0; written < bytes.length;) {
        written += await conn.write(bytes.subarray(written));
      }
      post({ op: "written" });
    } catch (error) {
      post({ op: "writeFailed", message: (error as Error).message });
    }
  };
  port.onmessage = ({ data }: MessageEvent<ToLender>) => {
    if (data.op === "read") read(data.size);
    else if (data.op === "write") writing = writing.then(() => write(data.bytes));
    else if (data.op === "closeWrite") {
      writing = writing.then(() => conn.closeWrite()).catch(() => {});
    } else if (data.op === "idle") place.idle(data.idle);
    else if (data.op === "upgraded") place.upgraded();
    else if (data.op === "leave") done.resolve();
    else closeAfterWrites();
  };
  if (signal.aborted) finish();
  else signal.addEventListener("abort", finish, { once: true });
  return done.promise;
}

/**
 * The borrowing end: a connection another thread holds, read and written as a `Deno.Conn`. One
 * read at a time (as the stand's readers do); writes resolve in order, once written.
 */
export class BorrowedConn {
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr;
  /** The address the client connected to. */
  readonly localAddr: Deno.NetAddr;
  #port: MessagePort;
  #read:
    | { readonly buffer: Uint8Array; readonly answer: PromiseWithResolvers<number | null> }
    | null = null;
  #writes: PromiseWithResolvers<void>[] = [];
  #closed = false;
  #onEnd: () => void;
  /**
   * Its state in the lender's budget, now and as last told (busy at first: the lender's server
   * handed on a request).
   */
  #place: PlaceState = "busy";
  #toldPlace: PlaceState = "busy";
  #placeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * The borrowing end of a lent connection.
   * @param port This thread's end of the channel the lender serves.
   * @param info Where the connection came from.
   * @param onEnd Told once when it is closed, by either side.
   */
  constructor(port: MessagePort, info: LentConnInfo, onEnd: () => void = () => {}) {
    this.#port = port;
    this.#onEnd = onEnd;
    this.remoteAddr = info.remote;
    this.localAddr = info.local;
    port.onmessage = ({ data }: MessageEvent<FromLender>) => this.#answer(data);
  }

  /**
   * Reads into `buffer`.
   * @param buffer Where the bytes go.
   * @returns How many arrived, or `null` at the end of the stream (or once closed).
   * @throws {Deno.errors.BadResource} When a read is already in flight.
   */
  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    if (this.#read) return Promise.reject(new Deno.errors.BadResource("a read is in flight"));
    this.#read = { buffer, answer: Promise.withResolvers() };
    this.#send({ op: "read", size: buffer.length });
    return this.#read.answer.promise;
  }

  /**
   * Writes all of `bytes`.
   * @param bytes What to write (copied: the caller may reuse it).
   * @returns `bytes.length`, once written.
   * @throws {Deno.errors.BrokenPipe} When the connection is closed or the write failed.
   */
  async write(bytes: Uint8Array): Promise<number> {
    if (this.#closed) throw new Deno.errors.BrokenPipe("the connection is closed");
    const written = Promise.withResolvers<void>();
    this.#writes.push(written);
    const copy = bytes.slice();
    this.#send({ op: "write", bytes: copy }, [copy.buffer]);
    await written.promise;
    return bytes.length;
  }

  /** Ends our sending side (after the writes before it). */
  closeWrite(): Promise<void> {
    if (!this.#closed) this.#send({ op: "closeWrite" });
    return Promise.resolve();
  }

  /**
   * Tells the lender whether the connection is idle (waiting for a request), for its budget.
   * Like the other changes of its place, said before the next read or write, or at the end of
   * this task: the lender sees only where a task left it, never a moment in between (a request's
   * end before the next one's wait, a WebSocket lamp's upgrade before it leaves).
   * @param idle Idle now, or working on a request.
   */
  idle(idle: boolean): void {
    this.#move(idle ? "idle" : "busy");
  }

  /** Tells the lender the connection speaks another protocol now (a WebSocket), for its budget. */
  upgraded(): void {
    this.#move("upgraded");
  }

  /**
   * Takes the connection out of the lender's budget (it is a lamp now, in the lamp budget): the
   * lender's promise resolves, and it serves the connection still.
   */
  leave(): void {
    this.#move("left");
  }

  /** Closes the connection (the lender closes the socket). */
  close(): void {
    if (this.#closed) return;
    this.#send({ op: "close" });
    this.#end();
  }

  /**
   * Ends it without a word to the lender, which is gone (its thread ended): a read in flight
   * reads the end, writes in flight fail.
   */
  abandon(): void {
    this.#end();
  }

  #send(message: ToLender, transfer: Transferable[] = []): void {
    this.#tellPlace();
    this.#port.postMessage(message, transfer);
  }

  #move(place: PlaceState): void {
    if (this.#closed || this.#place === "left") return;
    this.#place = place;
    this.#placeTimer ??= setTimeout(() => this.#tellPlace(), 0);
  }

  #tellPlace(): void {
    clearTimeout(this.#placeTimer);
    this.#placeTimer = undefined;
    const place = this.#place;
    if (place === this.#toldPlace) return;
    this.#toldPlace = place;
    this.#port.postMessage(
      (place === "upgraded"
        ? { op: "upgraded" }
        : place === "left"
        ? { op: "leave" }
        : { op: "idle", idle: place === "idle" }) satisfies ToLender,
    );
  }

  #answer(message: FromLender): void {
    if (message.op === "written" || message.op === "writeFailed") {
      const written = this.#writes.shift();
      if (message.op === "written") written?.resolve();
      else written?.reject(new Deno.errors.BrokenPipe(message.message));
      return;
    }
    if (message.op === "closed") return this.#end();
    const read = this.#read;
    this.#read = null;
    if (!read) return;
    if (message.op === "data") {
      read.buffer.set(message.bytes);
      read.answer.resolve(message.bytes.length);
    } else if (message.op === "end") read.answer.resolve(null);
    else read.answer.reject(new Deno.errors.ConnectionReset(message.message));
  }

  /** Closed: a read in flight reads the end, writes in flight fail. */
  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#placeTimer);
    this.#read?.answer.resolve(null);
    this.#read = null;
    for (const written of this.#writes.splice(0)) {
      written.reject(new Deno.errors.BrokenPipe("the connection is closed"));
    }
    this.#port.onmessage = null;
    this.#onEnd();
  }
}

/**
 * A borrowed connection the lender runs TLS on: read as a TLS connection whose handshake is done
 * (its requests get `https:` URLs), the lender having checked any client certificate.
 */
export class SecureBorrowedConn extends BorrowedConn {
  /**
   * The handshake, done by the lender.
   * @returns At once.
   */
  handshake(): Promise<Deno.TlsHandshakeInfo> {
    return Promise.resolve({ alpnProtocol: null });
  }
}
