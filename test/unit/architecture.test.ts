import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Imports point one way (STYLE.md): this test reads them. */
const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    if (spec.startsWith('.')) out.push(relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ''));
  }
  return out;
}

const PROVIDERS = ['xero', 'qbo', 'stripe', 'files'];
const under = (area: string) =>
  files(join(SRC, area)).map((f) => ({ file: relative(SRC, f), deps: imports(f) }));

describe('architecture', () => {
  it('keeps provider code out of the engines: reconcile and billing import no connector at all', () => {
    const bad = [...under('reconcile'), ...(safe(() => under('billing')) ?? [])].flatMap(({ file, deps }) =>
      deps.filter((d) => d.startsWith('connectors/')).map((d) => `${file} → ${d}`),
    );
    expect(bad).toEqual([]);
  });

  it('lets sync reach only the connector port, never a provider folder or the provider layer', () => {
    const bad = [...under('sync'), ...under('reconcile')].flatMap(({ file, deps }) =>
      deps
        .filter((d) => PROVIDERS.some((p) => d.startsWith(`connectors/${p}/`)) || d.startsWith('providers/'))
        .map((d) => `${file} → ${d}`),
    );
    expect(bad).toEqual([]);
  });

  it('lets a connector import only the model, lib, shared connector code and itself (storage lives in src/providers)', () => {
    const bad = PROVIDERS.flatMap((p) =>
      under(`connectors/${p}`).flatMap(({ file, deps }) =>
        deps
          .filter(
            (d) =>
              !d.startsWith('canonical') &&
              !d.startsWith('lib/') &&
              !d.startsWith('connectors/shared/') &&
              d !== 'connectors/connector' &&
              !d.startsWith(`connectors/${p}/`),
          )
          .map((d) => `${file} → ${d}`),
      ),
    );
    expect(bad).toEqual([]);
  });
});

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
