import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTokens } from '../../../src/connections/tokens.js';
import { secretBoxFor } from '../../../src/lib/crypto.js';
import { usingPostgres } from '../../support/db.js';
import { grantRow, type Harness, harness, seedGrant } from './harness.js';
import { CLIENT, xeroAccessToken, xeroRefreshToken } from './identity.js';

/**
 * Five separate worker processes on one Postgres schema ask for the same grant's token just before it
 * expires: the row lock makes exactly one of them refresh. PGlite serves one process only, so this
 * test needs TEST_DATABASE_URL (the in-process variant runs in refresh.test.ts on either database).
 */
const pg = usingPostgres();
const WORKER = join(import.meta.dirname, 'refresh-worker.ts');

let h: Harness;
let tokenServer: Server;
const refreshCalls: string[] = [];
const live = new Set<string>();
const issued: { accessToken: string; refreshToken: string }[] = [];

beforeAll(async () => {
  if (!pg) return;
  h = await harness();
  tokenServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      refreshCalls.push(form.get('refresh_token') ?? '');
      const ok =
        req.headers.authorization ===
          `Basic ${Buffer.from(`${CLIENT.xero.id}:${CLIENT.xero.secret}`).toString('base64')}` &&
        form.get('grant_type') === 'refresh_token' &&
        live.delete(form.get('refresh_token') ?? '');
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        if (!ok) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const t = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
        live.add(t.refreshToken);
        issued.push(t);
        res.end(
          JSON.stringify({
            access_token: t.accessToken,
            refresh_token: t.refreshToken,
            expires_in: 1800,
            token_type: 'Bearer',
            scope: 'accounting.invoices offline_access',
          }),
        );
      }, 400);
    });
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', () => r()));
}, 60_000);

afterAll(async () => {
  if (!pg) return;
  await new Promise<void>((r) => tokenServer.close(() => r()));
  await h?.close();
});

function startWorker(args: string[]): {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<{ token?: string; refreshed?: boolean; error?: string }>;
  debug: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      TOKEN_ENCRYPTION_KEYS: h.deps.config.TOKEN_ENCRYPTION_KEYS ?? '',
      XERO_CLIENT_ID: CLIENT.xero.id,
      XERO_CLIENT_SECRET: CLIENT.xero.secret,
      PUBLIC_BASE_URL: h.deps.config.PUBLIC_BASE_URL,
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  let onExit: (e: Error) => void = () => {};
  const ready = new Promise<void>((r, j) => {
    onReady = r;
    onExit = j;
  });
  child.stdout!.on('data', (c) => {
    out += String(c);
    if (out.includes('ready\n')) onReady();
  });
  child.stderr!.on('data', (c) => {
    err += String(c);
  });
  const result = new Promise<{ token?: string; refreshed?: boolean; error?: string }>((resolve) => {
    child.on('exit', (code) => {
      onExit(new Error(`worker exited (${code}) before ready: ${err.slice(0, 800)}`));
      const last = out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      resolve(last ? JSON.parse(last) : { error: `no result (stderr: ${err.slice(0, 500)})` });
    });
  });
  const debug = () => `out=${out.slice(0, 300)} err=${err.slice(0, 600)}`;
  return { child, ready, result, debug };
}

describe('refresh across processes', () => {
  it.skipIf(!pg)(
    'five worker processes on Postgres make exactly one refresh call and all get the new token (skipped without TEST_DATABASE_URL)',
    async () => {
      const seeded = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
      live.add(seeded.refreshToken);
      const { grantId } = await seedGrant(h, {
        provider: 'xero',
        tokens: seeded,
        accessExpiresAt: new Date(Date.now() + 60_000),
      });
      const goFile = join(mkdtempSync(join(tmpdir(), 'lb-refresh-')), 'go');
      const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/connect/token`;
      const workers = Array.from({ length: 5 }, () =>
        startWorker([h.database.url!, h.database.schema!, grantId, tokenUrl, goFile]),
      );
      await Promise.all(workers.map((w) => w.ready));
      writeFileSync(goFile, 'go');
      const results = await Promise.all(workers.map((w) => w.result));

      expect(refreshCalls).toEqual([seeded.refreshToken]);
      expect(issued).toHaveLength(1);
      expect(results.map((r) => r.token)).toEqual(Array(5).fill(issued[0]!.accessToken));
      expect(results.filter((r) => r.refreshed)).toHaveLength(1);
      const g = await grantRow(h, grantId);
      expect(openTokens(secretBoxFor(h.deps.config), grantId, g.tokenCiphertext!).refreshToken).toBe(
        issued[0]!.refreshToken,
      );
    },
    90_000,
  );
});
