/**
 * An obviously-correct reference for the decoder + command table + lamp: decode the whole
 * stream at once by walking headers, and track the lamp with plain variables.
 * Deliberately shares no code with `src/`.
 *
 * @module
 */

/** What the reference saw: the lamp at the end and how many frames of each outcome. */
export interface ModelResult {
  /** Whether the lamp is lit. */
  on: boolean;
  /** The color as `#rrggbb`. */
  color: string;
  /** Frames applied. */
  applied: number;
  /** Frames of unknown type. */
  unknown: number;
  /** Known frames with a wrong-length value. */
  malformed: number;
  /** Empty frames of type 0 (the stand's keep-alive). */
  keepalives: number;
}

/**
 * Runs the reference over a complete byte stream (a trailing partial frame is ignored).
 * @param bytes The whole stream.
 * @returns The final lamp and the counts.
 */
export function referenceModel(bytes: Uint8Array): ModelResult {
  const result: ModelResult = {
    on: false,
    color: "#ffffff",
    applied: 0,
    unknown: 0,
    malformed: 0,
    keepalives: 0,
  };
  let offset = 0;
  while (offset + 3 <= bytes.length) {
    const type = bytes[offset];
    const length = bytes[offset + 1] * 256 + bytes[offset + 2];
    if (offset + 3 + length > bytes.length) break;
    const value = Array.from(bytes.slice(offset + 3, offset + 3 + length));
    offset += 3 + length;
    if (type === 0x12 || type === 0x13) {
      if (length !== 0) result.malformed++;
      else {
        result.on = type === 0x12;
        result.applied++;
      }
    } else if (type === 0x20) {
      if (length !== 3) result.malformed++;
      else {
        result.color = "#" + value.map((b) => b.toString(16).padStart(2, "0")).join("");
        result.applied++;
      }
    } else if (type === 0x00 && length === 0) {
      result.keepalives++;
    } else {
      result.unknown++;
    }
  }
  return result;
}
