import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../../src/reconcile');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'stripe'
        ? []
        : files(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('the cash-application engine', () => {
  it('imports no connector, no http, no cli and no sync code', () => {
    const offending: string[] = [];
    for (const f of files(ROOT)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1]!;
        if (
          /\/(connectors|http|cli|sync|demo)\//.test(spec) ||
          /^(xero-node|node-quickbooks|stripe)$/.test(spec)
        )
          offending.push(`${f.slice(ROOT.length + 1)} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
