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

/** A certificate and its key, as files and PEM text. */
export interface SignedCert {
  /** The certificate file. */
  readonly cert: string;
  /** The key file. */
  readonly key: string;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The key, PEM. */
  readonly keyPem: string;
}

/**
 * Signs one more server certificate with the CA of `certs`: for other names, or already expired.
 * @param certs A CA made by {@linkcode makeTlsCerts}.
 * @param name The files' base name.
 * @param options `san` (subjectAltName, default the loopback names) and `expired`.
 * @returns The certificate and key.
 */
export async function signCert(
  certs: TlsCerts,
  name: string,
  options: { san?: string; expired?: boolean } = {},
): Promise<SignedCert> {
  const { dir } = certs;
  await openssl(
    dir,
    ...["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`],
    "-subj",
    `/CN=${name}`,
  );
  await Deno.writeTextFile(
    `${dir}/${name}.cnf`,
    `subjectAltName=${options.san ?? "IP:127.0.0.1,DNS:localhost"}\n`,
  );
  if (options.expired) {
    // `openssl ca` can date a certificate in the past; `x509 -req` cannot.
    await Deno.writeTextFile(`${dir}/index.txt`, "", { append: true });
    await Deno.writeTextFile(`${dir}/serial`, "1000\n", { createNew: true }).catch(() => {});
    await Deno.writeTextFile(
      `${dir}/ca.cnf`,
      "[ca]\ndefault_ca = CA\n[CA]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\npolicy = any\ndefault_md = sha256\n[any]\ncommonName = supplied\n",
    );
    await openssl(
      dir,
      ...["ca", "-batch", "-config", "ca.cnf", "-startdate", "20200101000000Z"],
      ...["-enddate", "20200102000000Z", "-in", `${name}.csr`, "-out", `${name}.crt`],
      ...["-keyfile", "ca.key", "-cert", "ca.crt", "-extfile", `${name}.cnf`],
    );
  } else {
    await openssl(
      dir,
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key"],
      ...["-CAcreateserial", "-out", `${name}.crt`, "-days", "2", "-extfile", `${name}.cnf`],
    );
  }
  return {
    cert: `${dir}/${name}.crt`,
    key: `${dir}/${name}.key`,
    certPem: await Deno.readTextFile(`${dir}/${name}.crt`),
    keyPem: await Deno.readTextFile(`${dir}/${name}.key`),
  };
}
