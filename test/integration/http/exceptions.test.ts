import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { raiseException } from '../../../src/db/repos/exceptions.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { bearer, testApp } from '../../support/app.js';
import { createTestDatabase } from '../../support/db.js';

let database: Database;
let app: ReturnType<typeof testApp>['app'];
let keyA: string;
let keyB: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ app } = testApp(database));
  const a = await createFirm(database.db, {
    name: 'Alder & Co',
    baseCurrency: 'USD',
    timezone: 'America/New_York',
  });
  const b = await createFirm(database.db, {
    name: 'Brook Legal',
    baseCurrency: 'GBP',
    timezone: 'Europe/London',
  });
  keyA = (await createApiKey(database.db, { firmId: a.id, name: 'coordinator', actor: 'test' })).key;
  keyB = (await createApiKey(database.db, { firmId: b.id, name: 'other', actor: 'test' })).key;
  for (let i = 0; i < 5; i++) {
    await raiseException(database.db, {
      firmId: a.id,
      kind: i < 3 ? 'unmatched_receipt' : 'ambiguous_match',
      subjectKind: 'bank_line',
      subjectId: `line-${i}`,
      reason: `receipt ${i} matched nothing`,
      candidates: [{ kind: 'invoice', id: `inv-${i}`, label: `INV-00${i}`, score: 0.4, why: 'same amount' }],
    });
  }
  // raising the same exception again changes nothing
  await raiseException(database.db, {
    firmId: a.id,
    kind: 'unmatched_receipt',
    subjectKind: 'bank_line',
    subjectId: 'line-0',
    reason: 'again',
  });
  await raiseException(database.db, {
    firmId: b.id,
    kind: 'unmatched_receipt',
    subjectKind: 'bank_line',
    subjectId: 'x',
    reason: 'firm B only',
  });
});
afterAll(() => database?.close());

describe('GET /api/v1/exceptions', () => {
  it('needs an API key and answers problem+json without one', async () => {
    const res = await app.request('/api/v1/exceptions');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code: string; status: number };
    expect(body).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(
      (await app.request('/api/v1/exceptions', { headers: bearer('lb_not_a_real_key_at_all_000000') }))
        .status,
    ).toBe(401);
  });

  it('lists only the firm of the key, with kind, reason, subject and candidates', async () => {
    const res = await app.request('/api/v1/exceptions?limit=100', { headers: bearer(keyA) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: { kind: string; reason: string; subject: { id: string }; candidates: unknown[] }[];
      nextCursor: string | null;
    };
    expect(body.items).toHaveLength(5);
    expect(body.items[0]).toMatchObject({
      kind: 'unmatched_receipt',
      reason: 'receipt 0 matched nothing',
      subject: { kind: 'bank_line', id: 'line-0' },
      status: 'open',
    });
    expect(body.items[0]!.candidates).toEqual([
      { kind: 'invoice', id: 'inv-0', label: 'INV-000', score: 0.4, why: 'same amount' },
    ]);
    expect(body.nextCursor).toBeNull();
    const other = (await (await app.request('/api/v1/exceptions', { headers: bearer(keyB) })).json()) as {
      items: { reason: string }[];
    };
    expect(other.items.map((i) => i.reason)).toEqual(['firm B only']);
  });

  it('filters by kind and status', async () => {
    const res = await app.request('/api/v1/exceptions?kind=ambiguous_match&status=open', {
      headers: bearer(keyA),
    });
    const body = (await res.json()) as { items: { subject: { id: string } }[] };
    expect(body.items.map((i) => i.subject.id)).toEqual(['line-3', 'line-4']);
    const none = (await (
      await app.request('/api/v1/exceptions?status=resolved', { headers: bearer(keyA) })
    ).json()) as { items: unknown[] };
    expect(none.items).toEqual([]);
  });

  it('pages with a cursor, every item once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/exceptions?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await (await app.request(url, { headers: bearer(keyA) })).json()) as {
        items: { subject: { id: string } }[];
        nextCursor: string | null;
      };
      seen.push(...body.items.map((i) => i.subject.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['line-0', 'line-1', 'line-2', 'line-3', 'line-4']);
  });

  it('rejects a bad query with the failing fields', async () => {
    const res = await app.request('/api/v1/exceptions?status=maybe&limit=0', { headers: bearer(keyA) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; fields: { path: string }[] };
    expect(body.code).toBe('validation_failed');
    expect(body.fields.map((f) => f.path).sort()).toEqual(['limit', 'status']);
    const bad = await app.request('/api/v1/exceptions?cursor=nonsense', { headers: bearer(keyA) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: { path: string }[] }).fields[0]!.path).toBe('cursor');
  });
});

describe('health', () => {
  it('is alive and ready once migrated, and serves the OpenAPI document', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', pendingMigrations: [] });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/exceptions');
  });

  it('answers an unknown route with problem+json', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('not_found');
  });
});

describe('POST /api/v1/reconcile', () => {
  it('applies cash for the key’s firm and answers the counts per tier', async () => {
    const res = await app.request('/api/v1/reconcile', { method: 'POST', headers: bearer(keyA) });
    expect(res.status).toBe(200);
    const stats = (await res.json()) as { bankLinesConsidered: number; appliedByReference: number };
    expect(stats).toMatchObject({ bankLinesConsidered: 0, appliedByReference: 0 });
    expect((await app.request('/api/v1/reconcile', { method: 'POST' })).status).toBe(401);
  });

  it('rejects an unknown exception kind instead of answering an empty list', async () => {
    const res = await app.request('/api/v1/exceptions?kind=zzz', { headers: bearer(keyA) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: { path: string }[] }).fields[0]!.path).toBe('kind');
  });
});
