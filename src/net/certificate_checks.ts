/**
 * Checks of PEM files before they are used: a certificate that can be read, a key that is the
 * certificate's. Shared by the lamp (`--ca`, `--cert`, `--key`), `send` (`--ca`) and the stand's
 * TLS ports, so each refuses a bad file at start, in the same words.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";

/**
 * Reads the first certificate of a PEM text.
 *
 * @param pem The PEM text.
 * @param what What it is, for the message (`certificate`, `client CA`).
 * @returns The certificate.
 * @throws {TypeError} When it is not a PEM certificate.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkCertificate } from "./certificate_checks.ts";
 * assertThrows(() => checkCertificate("hello", "client CA"), TypeError, "the TLS client CA");
 * ```
 */
export function checkCertificate(pem: string, what: string): X509Certificate {
  try {
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error("no PEM certificate");
    return new X509Certificate(pem);
  } catch (error) {
    throw new TypeError(`the TLS ${what} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Throws unless `cert` is a PEM certificate (chain) and `key` its private key.
 *
 * @param cert The certificate chain, PEM.
 * @param key The private key, PEM.
 * @throws {TypeError} Naming what is wrong: the certificate or the key cannot be read, or the key
 *   is not the certificate's.
 * @example
 * ```ts
 * import { assertThrows } from "@std/assert";
 * import { checkKeyPair } from "./certificate_checks.ts";
 * assertThrows(() => checkKeyPair("hello", "hello"), TypeError, "the TLS certificate cannot be read");
 * ```
 */
export function checkKeyPair(cert: string, key: string): void {
  const certificate = checkCertificate(cert, "certificate");
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TypeError(`the TLS key cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TypeError("the TLS key is not the key of the certificate");
  }
}
