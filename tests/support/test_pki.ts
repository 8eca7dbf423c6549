/**
 * A private CA with a server and a client certificate, made with `openssl` in a fresh temporary
 * directory at run time (nothing secret is committed).
 *
 * @module
 */

/** PEM texts of a test PKI. */
export interface TestPki {
  /** The CA certificate. */
  readonly ca: string;
  /** The server certificate (for `localhost` and `127.0.0.1`) and its key. */
  readonly server: { readonly cert: string; readonly key: string };
  /** A client certificate signed by the CA, and its key. */
  readonly client: { readonly cert: string; readonly key: string };
  /**
   * A server certificate signed by the CA for other names only, with control and bidi characters
   * in them (`evil<ESC>]0;pwned<BEL>.example`, `x<U+202E>evil.example`), and its key.
   */
  readonly hostile: { readonly cert: string; readonly key: string };
}

/** The names in the hostile certificate, raw. */
export const HOSTILE_NAMES: readonly string[] = [
  "evil\x1b]0;pwned\x07.example",
  "x\u202eevil.example",
];

async function openssl(dir: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null" })
    .output();
  if (code !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

/**
 * Creates the CA and the certificates (EC P-256, valid for two days).
 * @returns The PEM texts.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "flashlight-pki-" });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await openssl(dir, [
      "req",
      "-x509",
      ...key,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "2",
      "-subj",
      "/CN=flashlight test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    const extensions = {
      server: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
      client: "extendedKeyUsage=clientAuth\n",
      hostile: `subjectAltName=${HOSTILE_NAMES.map((name) => `DNS:${name}`).join(",")}\n` +
        "extendedKeyUsage=serverAuth\n",
    };
    for (const [who, ext] of Object.entries(extensions)) {
      await Deno.writeTextFile(`${dir}/${who}.ext`, ext);
      await openssl(dir, [
        "req",
        ...key,
        "-keyout",
        `${who}.key`,
        "-out",
        `${who}.csr`,
        "-subj",
        `/CN=${who}`,
      ]);
      await openssl(dir, [
        "x509",
        "-req",
        "-in",
        `${who}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${who}.crt`,
        "-days",
        "2",
        "-extfile",
        `${who}.ext`,
      ]);
    }
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    return {
      ca: await read("ca.crt"),
      server: { cert: await read("server.crt"), key: await read("server.key") },
      client: { cert: await read("client.crt"), key: await read("client.key") },
      hostile: { cert: await read("hostile.crt"), key: await read("hostile.key") },
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
