import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve('bin/ledgerbridge.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'lb-demo-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const demoOnce = async () =>
  (
    await run(process.execPath, [BIN, 'demo', '--once'], {
      cwd,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent' },
      timeout: 120_000,
    })
  ).stdout;

/** What the sample firm must show: every tier and every exception kind, with these exact numbers. */
const EXPECTED = `ledgerbridge demo: Hale & Hart LLP on Xero (USD, America/New_York)

Pulled from Xero (sync succeeded)
  accounts                        6
  contacts                        8
  invoices                       14   (1 could not be taken in)
  credit notes                    1
  overpayments                    1
  prepayments                     1
  payments                        2
  bank transactions               3

Bank statements
  operating-2026-11.ofx          11 lines read, 11 new, 0 already known
  trust-2026-11.ofx               1 line read, 1 new, 0 already known

Cash application
  money-in bank lines            11
  unapplied client credits        1
  already in the books            3
  applied by invoice reference    3
  applied by client and amount    2
  left for a person               4
  receipts coded to an account    1   (in the books, while an invoice is open)

Exceptions (open)
  ambiguous_match                 1
  amount_mismatch                 1
  balance_mismatch                1
  receipt_coded_directly          1
  sync_error                      1
  trust_receipt                   1
  unmatched_receipt               1
  total                           7
`;

describe('npm run demo', () => {
  it('prints the exact summary of the sample firm, and the same numbers on a second run', {
    timeout: 300_000,
  }, async () => {
    const first = await demoOnce();
    expect(first).toBe(EXPECTED);
    const second = await demoOnce();
    expect(second).toBe(first);
  });

  it('leaves the exceptions and sync errors readable from the CLI, and serves the same list over HTTP', {
    timeout: 300_000,
  }, async () => {
    const env = {
      ...process.env,
      DATABASE_URL: '',
      LOG_LEVEL: 'silent',
      DATA_DIR: join(cwd, '.ledgerbridge-demo'),
    };
    const cli = async (...args: string[]) =>
      (await run(process.execPath, [BIN, ...args], { cwd, env })).stdout;
    const exceptions = JSON.parse(await cli('exceptions', '--json')) as { kind: string; reason: string }[];
    expect(exceptions).toHaveLength(7);
    const syncErrors = JSON.parse(await cli('sync-errors', '--json')) as {
      entity: string;
      field: string;
      message: string;
    }[];
    expect(syncErrors).toEqual([expect.objectContaining({ entity: 'invoices', field: 'Total' })]);
    expect(syncErrors[0]!.message).toContain('6OO.00');

    const child = spawn(process.execPath, [BIN, 'demo'], { cwd, env: { ...env, PORT: '0' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /Serving the API on http:\/\/localhost:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/exceptions?limit=100`, {
        headers: { authorization: 'Bearer lb_demo_hale_hart_sample_firm_key' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { kind: string; reason: string }[] };
      expect(body.items.map((i) => `${i.kind}|${i.reason}`).sort()).toEqual(
        exceptions.map((i) => `${i.kind}|${i.reason}`).sort(),
      );
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
