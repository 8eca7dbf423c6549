/**
 * A small seeded random source (mulberry32) so property and fuzz tests can be replayed.
 *
 * @module
 */

/** A seeded source of numbers in [0, 1), with helpers for ints and bytes. */
export interface Random {
  /** The next number in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/**
 * Creates a seeded random source.
 * @param seed Any 32-bit integer; the same seed gives the same sequence.
 * @returns The source.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const bytes = (length: number) => Uint8Array.from({ length }, () => int(0, 255));
  return { next, int, bytes };
}

/**
 * Cuts a buffer into chunks at random points (sizes 1..maxChunk).
 * @param random The random source.
 * @param bytes The buffer.
 * @param maxChunk The largest chunk.
 * @returns The chunks, in order; together they are `bytes`.
 */
export function randomChunks(random: Random, bytes: Uint8Array, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = random.int(1, maxChunk);
    chunks.push(bytes.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}
