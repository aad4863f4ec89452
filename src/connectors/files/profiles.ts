import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../lib/errors.js';
import { CsvProfile, type CsvProfileInput } from './profile.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

let shipped: Map<string, CsvProfile> | null = null;

/** The profiles that ship with the project (src/connectors/files/profiles/*.json), by name. */
export function shippedProfiles(): Map<string, CsvProfile> {
  if (shipped) return shipped;
  const m = new Map<string, CsvProfile>();
  for (const f of readdirSync(DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const p = parseProfile(JSON.parse(readFileSync(join(DIR, f), 'utf8')), `profiles/${f}`);
    m.set(p.name, p);
  }
  shipped = m;
  return m;
}

/** Validate a profile (a firm's own file, or a shipped one). */
export function parseProfile(input: unknown, source = 'profile'): CsvProfile {
  const r = CsvProfile.safeParse(input);
  if (!r.success)
    throw new AppError('validation_failed', `${source} is not a valid CSV profile`, {
      fields: r.error.issues.map((i) => ({ path: i.path.join('.') || '(profile)', message: i.message })),
    });
  return r.data;
}

/** A shipped profile's name, or a profile object, to a checked profile. */
export function resolveProfile(p: string | CsvProfileInput): CsvProfile {
  if (typeof p !== 'string') return parseProfile(p);
  const found = shippedProfiles().get(p);
  if (!found)
    throw new AppError(
      'validation_failed',
      `no CSV profile named "${p}" (shipped: ${[...shippedProfiles().keys()].join(', ')}); or give a profile file`,
      { fields: [{ path: 'profile', message: 'unknown profile' }] },
    );
  return found;
}
