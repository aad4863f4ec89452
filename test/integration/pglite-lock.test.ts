import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createFirm, listFirms } from '../../src/db/repos/firms.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'lb-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded database folder', () => {
  it('refuses a second process with a clear message and keeps the first one’s data', async () => {
    const first = await openDatabase({ dataDir: dir, purpose: 'serve' });
    await migrate(first.db);
    await createFirm(first.db, { name: 'Lockwood LLP', baseCurrency: 'USD', timezone: 'America/Chicago' });

    const second = await run(process.execPath, ['bin/ledgerbridge.mjs', 'firms'], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('the server is running');
    expect(second.stderr).toContain('Use the API, or stop it');

    expect((await listFirms(first.db)).map((f) => f.name)).toEqual(['Lockwood LLP']);
    await first.close();

    // once the first process has let go, the folder opens again with the data intact
    const again = await run(process.execPath, ['bin/ledgerbridge.mjs', 'firms', '--json'], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' },
    });
    expect(JSON.parse(again.stdout).map((f: { name: string }) => f.name)).toEqual(['Lockwood LLP']);
  });
});
