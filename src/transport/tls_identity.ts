/**
 * A server's TLS identity: a private key and the certificate that names
 * its public key, with the certificate's SHA-256 fingerprint, which clients
 * pin. {@linkcode keptTlsIdentity} makes one at first start (an ECDSA P-256
 * key from WebCrypto and a self-signed certificate that is no CA, for a
 * name no public CA can issue) and keeps it in one owner-only file;
 * {@linkcode loadTlsIdentity} reads a real certificate and its key instead.
 * No error or log line ever holds a key. Certificates are read with
 * `node:crypto` (in the runtime); `@peculiar/x509`, which only making one
 * needs, is loaded then and only then (about 8 MB a server would
 * otherwise carry for its whole life).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { certificateSha256 } from "./fingerprint.ts";
import { fileErrorReason, writePrivateFile } from "./private_file.ts";

/** A key pair and its certificate, as the TLS layer takes them. */
export interface TlsIdentity {
  /** The certificate chain in PEM, the server's own first. */
  certPem: string;
  /** The private key in PEM (PKCS #8). Secret: never logged. */
  keyPem: string;
  /** SHA-256 of the server's certificate (DER), 32 bytes. */
  sha256: Uint8Array;
  /**
   * Whether the certificate came from `--tls-cert` (`true`), rather than
   * being the server's own self-signed one.
   */
  custom: boolean;
}

/** The name in a self-signed identity: `.invalid` is never issued (RFC 6761). */
export const SELF_SIGNED_NAME = "chat.invalid";

/** The file an identity is kept in, in the data folder. */
export const IDENTITY_FILE = "identity.pem";

const ECDSA = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 86_400_000;

/** Options of {@linkcode createTlsIdentity}. */
export interface CreateTlsIdentityOptions {
  /**
   * The name in the certificate.
   * @default {SELF_SIGNED_NAME}
   */
  name?: string;
}

/**
 * Makes a new identity: an ECDSA P-256 key pair and a self-signed
 * certificate for it that may not sign others (not a CA), valid from a day
 * ago for a hundred years (it is pinned, not checked for expiry).
 *
 * @param options The name in the certificate.
 * @returns The identity.
 */
export async function createTlsIdentity(
  options: CreateTlsIdentityOptions = {},
): Promise<TlsIdentity> {
  const name = options.name ?? SELF_SIGNED_NAME;
  const keys = await crypto.subtle.generateKey(ECDSA, true, ["sign", "verify"]);
  const now = Date.now();
  const x509 = await _x509();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f; // a positive number
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: [...serial].map((b) => b.toString(16).padStart(2, "0"))
      .join(""),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 36_525 * DAY_MS),
    signingAlgorithm: ECDSA,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: name }]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    certPem: cert.toString("pem") + "\n",
    keyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") + "\n",
    sha256: await certificateSha256(new Uint8Array(cert.rawData)),
    custom: false,
  };
}

/** Options of {@linkcode keptTlsIdentity}. */
export interface KeptTlsIdentityOptions extends CreateTlsIdentityOptions {
  /**
   * Called when a new identity was made and kept (not when one was read).
   * @default {() => {}}
   */
  onCreated?: (path: string) => void;
}

/**
 * The identity kept in `dir` ({@linkcode IDENTITY_FILE}), made and kept
 * there when there is none. The file is written atomically and owner-only;
 * when two servers start at once on one folder, the first to finish
 * writing wins and both use its identity.
 *
 * @param dir The data folder; it must exist.
 * @param options The name for a new certificate.
 * @returns The identity.
 * @throws {SyntaxError} `Cannot read the server identity <file>: <why>`
 * when the file is not a key and its certificate (nothing of it is quoted).
 * @throws {Error} `Cannot keep the server identity in <file>: <why>` when
 * it cannot be read or written.
 */
export async function keptTlsIdentity(
  dir: string,
  options: KeptTlsIdentityOptions = {},
): Promise<TlsIdentity> {
  const path = `${dir}/${IDENTITY_FILE}`;
  const read = (): string | null => {
    try {
      return Deno.readTextFileSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw new Error(
        `Cannot keep the server identity in ${path}: ${fileErrorReason(error)}`,
      );
    }
  };
  let text = read();
  if (text === null) {
    const made = await createTlsIdentity(options);
    let wrote: boolean;
    try {
      wrote = writePrivateFile(path, made.keyPem + made.certPem, {
        replace: false,
      });
    } catch (error) {
      throw new Error(
        `Cannot keep the server identity in ${path}: ${fileErrorReason(error)}`,
      );
    }
    if (wrote) {
      options.onCreated?.(path);
      return made;
    }
    text = read() ?? "";
  }
  return await _identity(text, text, {
    certFile: path,
    keyFile: path,
    what: "the server identity",
    custom: false,
  });
}

/**
 * Reads a certificate (chain) and its private key from PEM files, as
 * `--tls-cert` and `--tls-key` name them, and checks that they belong
 * together.
 *
 * @param certFile The certificate chain, the server's own first.
 * @param keyFile Its private key: PKCS #8 (`BEGIN PRIVATE KEY`), ECDSA or
 * RSA.
 * @returns The identity.
 * @throws {SyntaxError} `Cannot use the TLS certificate <file>: <why>` or
 * `Cannot use the TLS key <file>: <why>` (nothing of the key is quoted).
 * @throws {Error} The same, when a file cannot be read.
 */
export async function loadTlsIdentity(
  certFile: string,
  keyFile: string,
): Promise<TlsIdentity> {
  const read = (file: string, what: string): string => {
    try {
      return Deno.readTextFileSync(file);
    } catch (error) {
      throw new Error(
        `Cannot use the ${what} ${file}: ${fileErrorReason(error)}`,
      );
    }
  };
  return await _identity(
    read(certFile, "TLS certificate"),
    read(keyFile, "TLS key"),
    { certFile, keyFile, what: "", custom: true },
  );
}

interface _Source {
  certFile: string;
  keyFile: string;
  /** "the server identity" when both are in one file; "" for two. */
  what: string;
  custom: boolean;
}

async function _identity(
  certText: string,
  keyText: string,
  source: _Source,
): Promise<TlsIdentity> {
  const fail = (file: string, what: string, why: string): never => {
    throw new SyntaxError(
      source.what === ""
        ? `Cannot use the ${what} ${file}: ${why}`
        : `Cannot read ${source.what} ${file}: ${why}`,
    );
  };
  const certs = _pemBlocks(certText, "CERTIFICATE");
  if (certs.length === 0) {
    fail(source.certFile, "TLS certificate", "it holds no PEM certificate");
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certs[0]!));
  } catch {
    return fail(source.certFile, "TLS certificate", "not a valid certificate");
  }
  const keys = _pemBlocks(keyText, "PRIVATE KEY");
  if (keys.length === 0) {
    const other = /-----BEGIN (RSA|EC) PRIVATE KEY-----/.test(keyText)
      ? "a PKCS #1 or SEC 1 key: convert it with openssl pkcs8 -topk8 -nocrypt"
      : "it holds no PEM private key (BEGIN PRIVATE KEY)";
    fail(source.keyFile, "TLS key", other);
  }
  if (!_belongTogether(cert, keys[0]!)) {
    fail(
      source.keyFile,
      "TLS key",
      "not a valid private key for the certificate",
    );
  }
  return {
    certPem: certs.map((der) => _pem(der, "CERTIFICATE")).join(""),
    keyPem: _pem(keys[0]!, "PRIVATE KEY"),
    sha256: await certificateSha256(certs[0]!),
    custom: source.custom,
  };
}

// Whether the key is the private half of the certificate's public key;
// a key that cannot be read is not.
function _belongTogether(
  cert: X509Certificate,
  pkcs8: Uint8Array<ArrayBuffer>,
): boolean {
  try {
    const key = createPrivateKey({
      key: Buffer.from(pkcs8),
      format: "der",
      type: "pkcs8",
    });
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

// The certificate maker, loaded when a certificate is made.
async function _x509(): Promise<typeof import("@peculiar/x509")> {
  // @peculiar/x509 needs the Reflect metadata API before it loads.
  await import("reflect-metadata");
  return await import("@peculiar/x509");
}

function _pemBlocks(text: string, label: string): Uint8Array<ArrayBuffer>[] {
  const pattern = new RegExp(
    `-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]*?)-----END ${label}-----`,
    "g",
  );
  const blocks: Uint8Array<ArrayBuffer>[] = [];
  for (const match of text.matchAll(pattern)) {
    try {
      const binary = atob(match[1]!.replace(/\s+/g, ""));
      blocks.push(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    } catch {
      // Not base64: as if there were no block.
    }
  }
  return blocks;
}

function _pem(der: Uint8Array, label: string): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${
    lines.join("\n")
  }\n-----END ${label}-----\n`;
}
