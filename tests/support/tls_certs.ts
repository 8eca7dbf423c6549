/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 / localhost, made by
 * the real `openssl` in a temp dir.
 *
 * @module
 */

/** The files (and the CA as PEM text). */
export interface TlsCerts {
  /** The directory holding them (remove it when done). */
  readonly dir: string;
  /** The CA certificate file. */
  readonly ca: string;
  /** The CA certificate, PEM. */
  readonly caPem: string;
  /** The server certificate file. */
  readonly cert: string;
  /** The server key file. */
  readonly key: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null" })
    .output();
  if (code !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

/**
 * Makes a CA and a server certificate signed by it (RSA 2048, valid two days).
 * @returns The files.
 */
export async function makeTlsCerts(): Promise<TlsCerts> {
  const dir = await Deno.makeTempDir({ prefix: "flashlight-tls-" });
  const subject = (cn: string) => ["-subj", `/CN=${cn}`];
  await openssl(
    dir,
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt"],
    ...["-days", "2", ...subject("flashlight test CA")],
  );
  await openssl(
    dir,
    ...["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"],
    ...subject("127.0.0.1"),
  );
  await Deno.writeTextFile(`${dir}/ext.cnf`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    dir,
    ...["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key"],
    ...["-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf"],
  );
  return {
    dir,
    ca: `${dir}/ca.crt`,
    caPem: await Deno.readTextFile(`${dir}/ca.crt`),
    cert: `${dir}/server.crt`,
    key: `${dir}/server.key`,
  };
}
