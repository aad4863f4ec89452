import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  generateKeyEntry,
  isSealed,
  parseKeyring,
  SecretBox,
} from '../../../src/lib/crypto.js';
import { AppError } from '../../../src/lib/errors.js';

const k1 = generateKeyEntry('k1');
const k2 = generateKeyEntry('k2');

describe('SecretBox', () => {
  it('seals with the first key and opens with the keyring', () => {
    const box = SecretBox.fromSpec(`${k2},${k1}`);
    const sealed = box.seal('refresh-token-value-123456');
    expect(sealed.startsWith('lb1.k2.')).toBe(true);
    expect(sealed).not.toContain('refresh-token-value');
    expect(isSealed(sealed)).toBe(true);
    expect(box.open(sealed)).toBe('refresh-token-value-123456');
  });

  it('opens a value sealed by an older key and reseals it with the current one', () => {
    const old = SecretBox.fromSpec(k1);
    const sealed = old.seal('s3cret-s3cret');
    const both = SecretBox.fromSpec(`${k2},${k1}`);
    expect(both.isCurrent(sealed)).toBe(false);
    const resealed = both.reseal(sealed);
    expect(both.kidOf(resealed)).toBe('k2');
    expect(SecretBox.fromSpec(k2).open(resealed)).toBe('s3cret-s3cret');
    expect(() => old.open(resealed)).toThrow(/k2/);
  });

  it('refuses a value moved to another row (aad) or tampered with', () => {
    const box = SecretBox.fromSpec(k1);
    const sealed = box.seal('token-abcdefgh', 'grant:1');
    expect(() => box.open(sealed, 'grant:2')).toThrow(AppError);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'grant:1')).toThrow(/failed authentication/);
  });

  it('rejects malformed key specs without echoing the key', () => {
    expect(() => parseKeyring('k1:c2hvcnQ=')).toThrow(/entry 1 \(k1\).*32 bytes/);
    expect(() => parseKeyring('nokid')).toThrow(/entry 1/);
    expect(() => parseKeyring(`${k1},${k1}`)).toThrow(/twice/);
    try {
      parseKeyring('k1:c2hvcnQ=');
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('c2hvcnQ');
    }
  });

  it('encryptSecret/decryptSecret take the config', () => {
    const config = { TOKEN_ENCRYPTION_KEYS: k1 };
    const sealed = encryptSecret(config, 'rk_test_abcdef123456');
    expect(decryptSecret(config, sealed)).toBe('rk_test_abcdef123456');
    expect(() => encryptSecret({ TOKEN_ENCRYPTION_KEYS: undefined }, 'x')).toThrow(/TOKEN_ENCRYPTION_KEYS/);
  });
});
