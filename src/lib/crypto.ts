import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Env } from '../config/env.js';
import { AppError } from './errors.js';
import { registerSecret } from './redact.js';

/**
 * Secrets at rest: AES-256-GCM under a keyring from `TOKEN_ENCRYPTION_KEYS` (`kid:base64key[,…]`, each
 * key 32 bytes; the FIRST key encrypts, every key decrypts). A sealed value is one text:
 *
 *   lb1.<kid>.<iv base64url>.<tag base64url>.<ciphertext base64url>
 *
 * so a reader knows which key sealed it and `ledgerbridge keys rotate` can re-seal everything with the
 * current key. An optional `aad` (e.g. `grant:<id>`) binds a value to its row: moving the ciphertext to
 * another row makes it fail to open. Values other areas keep (Stripe keys in
 * `connections.secret_ciphertext` …) are sealed WITHOUT aad, so the rotation can re-seal them blindly.
 */
const VERSION = 'lb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const KID = /^[A-Za-z0-9_-]{1,32}$/;

export interface Keyring {
  /** The kid that encrypts. */
  readonly primaryKid: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** Parse `kid:base64key[,kid:base64key…]`. Errors name the bad entry by position, never the key. */
export function parseKeyring(spec: string): Keyring {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    throw new AppError('not_configured', 'TOKEN_ENCRYPTION_KEYS is empty (expected kid:base64key[,…])');
  }
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const at = entry.indexOf(':');
    const kid = at > 0 ? entry.slice(0, at) : '';
    const b64 = at > 0 ? entry.slice(at + 1) : '';
    if (!KID.test(kid)) {
      throw new AppError('not_configured', `TOKEN_ENCRYPTION_KEYS entry ${i + 1}: expected kid:base64key`);
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new AppError(
        'not_configured',
        `TOKEN_ENCRYPTION_KEYS entry ${i + 1} (${kid}): the key must be ${KEY_BYTES} bytes of base64 (openssl rand -base64 32)`,
      );
    }
    if (keys.has(kid))
      throw new AppError('not_configured', `TOKEN_ENCRYPTION_KEYS: kid ${kid} appears twice`);
    keys.set(kid, key);
  });
  const first = entries[0]?.split(':')[0] ?? '';
  return { primaryKid: first, keys };
}

/** A fresh key entry for TOKEN_ENCRYPTION_KEYS (tests, `keys rotate` hints). */
export function generateKeyEntry(kid: string): string {
  return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

export class SecretBox {
  constructor(readonly keyring: Keyring) {}

  static fromSpec(spec: string): SecretBox {
    return new SecretBox(parseKeyring(spec));
  }

  get primaryKid(): string {
    return this.keyring.primaryKid;
  }

  seal(plaintext: string, aad = ''): string {
    const key = this.keyring.keys.get(this.keyring.primaryKid);
    if (!key) throw new AppError('internal', 'keyring without its primary key');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}|${this.keyring.primaryKid}|${aad}`));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.keyring.primaryKid, b64u(iv), b64u(tag), b64u(ct)].join('.');
  }

  open(sealed: string, aad = ''): string {
    const { kid, iv, tag, ct } = parseSealed(sealed);
    const key = this.keyring.keys.get(kid);
    if (!key) {
      throw new AppError(
        'not_configured',
        `a stored secret is sealed with key ${kid}, which TOKEN_ENCRYPTION_KEYS lacks`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(`${VERSION}|${kid}|${aad}`));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      registerSecret(plain); // a secret loaded at run time is masked in every later log line
      return plain;
    } catch (cause) {
      throw new AppError('internal', `a stored secret (key ${kid}) failed authentication`, { cause });
    }
  }

  /** The kid a sealed value was sealed with. */
  kidOf(sealed: string): string {
    return parseSealed(sealed).kid;
  }

  /** True when the value is sealed with the current (first) key. */
  isCurrent(sealed: string): boolean {
    return this.kidOf(sealed) === this.keyring.primaryKid;
  }

  /** Open with whichever key sealed it and seal again with the current key. */
  reseal(sealed: string, aad = ''): string {
    return this.seal(this.open(sealed, aad), aad);
  }

  /** A sub-key for signing (state, connect URLs) derived from the primary key; never the key itself. */
  deriveKey(label: string): Buffer {
    const key = this.keyring.keys.get(this.keyring.primaryKid);
    if (!key) throw new AppError('internal', 'keyring without its primary key');
    return createHmac('sha256', key).update(`ledgerbridge:${label}`).digest();
  }
}

const b64u = (b: Buffer): string => b.toString('base64url');

function parseSealed(sealed: string): { kid: string; iv: Buffer; tag: Buffer; ct: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw new AppError('internal', 'a stored secret is not in the lb1 sealed format');
  }
  const [, kid = '', iv = '', tag = '', ct = ''] = parts;
  return {
    kid,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ct: Buffer.from(ct, 'base64url'),
  };
}

export const isSealed = (value: string): boolean =>
  value.startsWith(`${VERSION}.`) && value.split('.').length === 5;

const cache = new Map<string, SecretBox>();

/** The SecretBox for the configured keys (cached per key spec). Throws not_configured when unset. */
export function secretBoxFor(config: Pick<Env, 'TOKEN_ENCRYPTION_KEYS'>): SecretBox {
  const spec = config.TOKEN_ENCRYPTION_KEYS;
  if (!spec) {
    throw new AppError(
      'not_configured',
      'TOKEN_ENCRYPTION_KEYS is not set: secrets cannot be stored (see .env.example)',
    );
  }
  let box = cache.get(spec);
  if (!box) {
    box = SecretBox.fromSpec(spec);
    cache.set(spec, box);
  }
  return box;
}

type BoxSource = SecretBox | Pick<Env, 'TOKEN_ENCRYPTION_KEYS'>;
const boxOf = (s: BoxSource): SecretBox => (s instanceof SecretBox ? s : secretBoxFor(s));

/**
 * Seal a secret for storage (e.g. a Stripe restricted key into `connections.secret_ciphertext`).
 * `source` is a SecretBox or the config (`deps.config`). Leave `aad` unset for values that
 * `keys rotate` re-seals on its own (connections.secret_ciphertext).
 */
export function encryptSecret(source: BoxSource, plaintext: string, aad?: string): string {
  return boxOf(source).seal(plaintext, aad);
}

/** Open a value sealed by `encryptSecret` (with the same `aad`). */
export function decryptSecret(source: BoxSource, sealed: string, aad?: string): string {
  return boxOf(source).open(sealed, aad);
}
