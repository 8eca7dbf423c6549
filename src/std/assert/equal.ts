/**
 * Deep equality as `@std/assert`'s `equal` defines it.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any -- Temporal is not in every runtime's types
const Temporal = (globalThis as any).Temporal ?? {};

/** Prototypes whose instances are equal when their text is (`String(value)`). */
const BY_TEXT = new Set<unknown>(
  [
    Intl.Locale,
    RegExp,
    URL,
    URLSearchParams,
    Temporal.Duration,
    Temporal.Instant,
    Temporal.PlainDate,
    Temporal.PlainDateTime,
    Temporal.PlainTime,
    Temporal.PlainYearMonth,
    Temporal.PlainMonthDay,
    Temporal.ZonedDateTime,
  ].filter((type) => type !== undefined).map((type) => type.prototype),
);
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array);

type Indexable = Record<string | symbol, unknown>;

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== "object" && typeof value !== "function");
}

/** `===`, except that `NaN` equals `NaN` (and `0` still equals `-0`). */
function same(a: unknown, b: unknown): boolean {
  return a === b || Object.is(a, b);
}

function samePrototype(a: object, b: object): boolean {
  const [pa, pb] = [Object.getPrototypeOf(a), Object.getPrototypeOf(b)];
  const plain = (proto: unknown) => proto === null || proto === Object.prototype;
  return pa === pb || (plain(pa) && plain(pb));
}

function sameItems(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
  return true;
}

/** Own property names and symbols, enumerable or not. */
function ownKeys(object: object): (string | symbol)[] {
  return [...Object.getOwnPropertyNames(object), ...Object.getOwnPropertySymbols(object)];
}

/** The keys of an object and its prototypes below `Object.prototype` / `Array.prototype`. */
function keysDeep(object: object | null, keys = new Set<string | symbol>()): Set<string | symbol> {
  for (
    let at = object;
    at !== null && at !== Object.prototype && at !== Array.prototype;
    at = Object.getPrototypeOf(at)
  ) {
    for (const key of ownKeys(at)) keys.add(key);
  }
  return keys;
}

function isPlain(object: object): boolean {
  const proto = Object.getPrototypeOf(object);
  return proto === null || proto === Object.prototype || proto === Array.prototype;
}

/**
 * Whether two values are deeply equal, as `@std/assert` compares them: `NaN` equals `NaN` and `0`
 * equals `-0`; objects need the same prototype (a null prototype counts as `Object.prototype`);
 * typed arrays, buffers, dates, maps and sets compare by content; `RegExp` and `URL` by text;
 * other objects by every key they and their prototypes have, enumerable or not (so two errors
 * differ by their stacks).
 *
 * @param a The actual value.
 * @param b The expected value.
 * @returns Whether they are equal.
 * @example
 * ```ts
 * import { assert, assertFalse, equal } from "@std/assert";
 * assert(equal({ a: [1, NaN] }, { a: [1, NaN] }));
 * assertFalse(equal(new Error("x"), new Error("x")));
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  const seen = new Map<unknown, unknown>();
  const compare = (a: unknown, b: unknown): boolean => {
    if (same(a, b)) return true;
    if (isPrimitive(a) || isPrimitive(b)) return false;
    if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
    if (typeof a !== "object" || typeof b !== "object") return false;
    if (!samePrototype(a!, b!)) return false;
    if (a instanceof TYPED_ARRAY) return sameItems(a as Uint8Array, b as Uint8Array);
    if (a instanceof ArrayBuffer || a instanceof SharedArrayBuffer) {
      return sameItems(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
    }
    if (a instanceof WeakMap) throw new TypeError("Cannot compare WeakMap instances");
    if (a instanceof WeakSet) throw new TypeError("Cannot compare WeakSet instances");
    if (a instanceof WeakRef) return compare(a.deref(), (b as WeakRef<WeakKey>).deref());
    if (seen.get(a) === b) return true;
    if (Object.keys(a!).length !== Object.keys(b!).length) return false;
    seen.set(a, b);
    if ((a instanceof Map || a instanceof Set) && (b instanceof Map || b instanceof Set)) {
      return sameCollections(a, b, compare);
    }
    if (BY_TEXT.has(Object.getPrototypeOf(a))) return String(a) === String(b);
    const keys = isPlain(a!) ? ownKeys({ ...a, ...b }) : keysDeep(b, keysDeep(a));
    const [x, y] = [a as Indexable, b as Indexable];
    for (const key of keys) {
      if (!compare(x[key], y[key]) || (key in x) !== (key in y)) return false;
    }
    return true;
  };
  return compare(a, b);
}

/** Maps and sets: the same size, and every entry of `a` matched by one of `b`. */
function sameCollections(
  a: Map<unknown, unknown> | Set<unknown>,
  b: Map<unknown, unknown> | Set<unknown>,
  compare: (a: unknown, b: unknown) => boolean,
): boolean {
  if (a.size !== b.size) return false;
  const keys = [...a.keys()];
  if (keys.every(isPrimitive)) {
    if (a instanceof Set) return keys.every((key) => b.has(key));
    return keys.every((key) =>
      b.has(key) && compare(a.get(key), (b as Map<unknown, unknown>).get(key))
    );
  }
  let unmatched = a.size;
  for (const [aKey, aValue] of a.entries()) {
    for (const [bKey, bValue] of b.entries()) {
      if (!compare(aKey, bKey)) continue;
      if ((aKey === aValue && bKey === bValue) || compare(aValue, bValue)) {
        unmatched--;
        break;
      }
    }
  }
  return unmatched === 0;
}
