/**
 * A private CA and the certificates the TLS tests need, made with the real `openssl` in a fresh
 * temporary directory at run time (nothing secret is committed): a good server certificate, a
 * client certificate, one for other names, an expired one, and one whose names carry control and
 * bidi characters. {@linkcode writeTestPki} puts them in files for the tests that run processes.
 *
 * @module
 */

/** A certificate and its key, PEM (or, from {@linkcode writeTestPki}, their files). */
export interface CertPair {
  /** The certificate. */
  readonly cert: string;
  /** Its key. */
  readonly key: string;
}

/** The names every certificate but `wrongName` and `hostile` is for. */
const LOOPBACK_NAMES = "DNS:localhost,IP:127.0.0.1";

/** The names in the hostile certificate, raw. */
export const HOSTILE_NAMES: readonly string[] = [
  "evil\x1b]0;pwned\x07.example",
  "x\u202eevil.example",
];

/** The certificates, each signed by the CA, keyed by what they are for. */
const LEAVES = {
  /** For `localhost` and `127.0.0.1`. */
  server: `subjectAltName=${LOOPBACK_NAMES}\nextendedKeyUsage=serverAuth\n`,
  /** A client certificate. */
  client: "extendedKeyUsage=clientAuth\n",
  /** For `other.example` only. */
  wrongName: "subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n",
  /** For the loopback names, valid only on 2020-01-01. */
  expired: `subjectAltName=${LOOPBACK_NAMES}\nextendedKeyUsage=serverAuth\n`,
  /** For {@linkcode HOSTILE_NAMES} only. */
  hostile: `subjectAltName=${HOSTILE_NAMES.map((name) => `DNS:${name}`).join(",")}\n` +
    "extendedKeyUsage=serverAuth\n",
} as const;

/** PEM texts of a test PKI. */
export type TestPki =
  & { readonly ca: string }
  & {
    readonly [leaf in keyof typeof LEAVES]: CertPair;
  };

async function openssl(dir: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null" })
    .output();
  if (code !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

/** Signs `name.csr` with the CA: for two days from now, or (`openssl ca`) on a day in the past. */
async function sign(dir: string, name: string, expired: boolean): Promise<void> {
  if (!expired) {
    await openssl(dir, [
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key"],
      ...["-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.ext`],
    ]);
    return;
  }
  // `x509 -req` cannot date a certificate in the past; `openssl ca` can.
  await Deno.writeTextFile(`${dir}/index.txt`, "");
  await Deno.writeTextFile(`${dir}/serial`, "1000\n");
  await Deno.writeTextFile(
    `${dir}/ca.cnf`,
    "[ca]\ndefault_ca = CA\n[CA]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n" +
      "policy = any\ndefault_md = sha256\n[any]\ncommonName = supplied\n",
  );
  await openssl(dir, [
    ...["ca", "-batch", "-config", "ca.cnf", "-startdate", "20200101000000Z"],
    ...["-enddate", "20200102000000Z", "-in", `${name}.csr`, "-out", `${name}.crt`],
    ...["-keyfile", "ca.key", "-cert", "ca.crt", "-extfile", `${name}.ext`],
  ]);
}

/**
 * Creates the CA and the certificates (EC P-256).
 * @returns The PEM texts.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await Deno.makeTempDir({ prefix: "flashlight-pki-" });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  try {
    await openssl(dir, [
      ...["req", "-x509", ...key, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2"],
      ...["-subj", "/CN=flashlight test CA", "-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ]);
    for (const [name, ext] of Object.entries(LEAVES)) {
      await Deno.writeTextFile(`${dir}/${name}.ext`, ext);
      await openssl(dir, [
        ...["req", ...key, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`],
      ]);
      await sign(dir, name, name === "expired");
    }
    const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
    const pair = async (name: string) => ({
      cert: await read(`${name}.crt`),
      key: await read(`${name}.key`),
    });
    return {
      ca: await read("ca.crt"),
      server: await pair("server"),
      client: await pair("client"),
      wrongName: await pair("wrongName"),
      expired: await pair("expired"),
      hostile: await pair("hostile"),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A test PKI in files, removed on dispose. */
export type TestPkiFiles = TestPki & AsyncDisposable;

/**
 * Writes a test PKI to a fresh temporary directory, for the flags and programs that take files.
 * @param pki From {@linkcode createTestPki}.
 * @returns The same shape with file paths in place of PEM texts; `await using` removes them.
 */
export async function writeTestPki(pki: TestPki): Promise<TestPkiFiles> {
  const dir = await Deno.makeTempDir({ prefix: "flashlight-pki-files-" });
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  const pair = async (name: keyof typeof LEAVES) => ({
    cert: await write(`${name}.crt`, pki[name].cert),
    key: await write(`${name}.key`, pki[name].key),
  });
  return {
    ca: await write("ca.crt", pki.ca),
    server: await pair("server"),
    client: await pair("client"),
    wrongName: await pair("wrongName"),
    expired: await pair("expired"),
    hostile: await pair("hostile"),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
