import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../lib/errors.js';

/**
 * PGlite serves one process per data folder. The process that opens it holds `ledgerbridge.lock`
 * (its pid, created exclusively); a second process is refused with a clear message. A lock left by a
 * process that no longer runs is taken over.
 */
export function acquireDataDirLock(dataDir: string, purpose: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'ledgerbridge.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
          if (held.pid === process.pid) rmSync(path, { force: true });
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(path);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
        const what =
          holder.purpose === 'serve' || holder.purpose === 'demo'
            ? 'the server is running'
            : `another ledgerbridge process (pid ${holder.pid}, ${holder.purpose}) has it open`;
        throw new AppError(
          'database_locked',
          `the embedded database in ${dataDir} is in use: ${what} (pid ${holder.pid}). Use the API, or stop it; to run several processes, set DATABASE_URL to a Postgres server.`,
          { details: { pid: holder.pid, purpose: holder.purpose } },
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new AppError('database_locked', `could not lock ${dataDir}`);
}

function readHolder(path: string): { pid: number; purpose: string } | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; purpose?: unknown };
    return typeof v.pid === 'number' ? { pid: v.pid, purpose: String(v.purpose ?? 'unknown') } : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
