import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

describe('OpenAPI', () => {
  it('documents the connect, connections and keys routes behind the API key', async () => {
    const res = await h.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/connect/{provider}',
        '/api/v1/connections',
        '/api/v1/connections/{id}',
        '/api/v1/keys',
        '/api/v1/keys/{id}',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/connections/{id}']!)).toEqual(
      expect.arrayContaining(['get', 'delete']),
    );
  });
});
