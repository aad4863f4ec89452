import { execFile } from 'node:child_process';
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
  money-in lines considered      11
  already in the books            3
  applied by invoice reference    3
  applied by client and amount    2
  left for a person               5

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
});
