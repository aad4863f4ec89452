import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/migrate.js';
import type { DbOrTx } from '../db/types.js';
import type { SecretBox } from '../lib/crypto.js';

/**
 * Every column holding a sealed secret, for `ledgerbridge keys rotate`. Other areas that seal a
 * secret elsewhere add their column with `registerRotatableSecret` (at module load) or, better, keep
 * it in connections.secret_ciphertext (sealed without aad), which is already listed.
 */
export interface SecretColumn {
  table: string;
  column: string;
  /** The aad a row's value was sealed with (from the row's key column); absent: none. */
  aad?: (key: string) => string;
  /** The column the aad is built from (default `id`). */
  keyColumn?: string;
}

const COLUMNS: SecretColumn[] = [
  { table: 'grants', column: 'token_ciphertext', aad: (id) => `grant:${id}` },
  { table: 'connections', column: 'secret_ciphertext' },
  { table: 'oauth_states', column: 'code_verifier_ciphertext', keyColumn: 'nonce', aad: (n) => `state:${n}` },
];

export function registerRotatableSecret(c: SecretColumn): void {
  if (!COLUMNS.some((x) => x.table === c.table && x.column === c.column)) COLUMNS.push(c);
}

export const rotatableSecretColumns = (): readonly SecretColumn[] => COLUMNS;

export interface RotationReport {
  resealed: Record<string, number>;
  alreadyCurrent: number;
  primaryKid: string;
}

/**
 * Re-seal every stored secret with the current (first) key, in one transaction, each row locked
 * (FOR UPDATE) so a concurrent refresh cannot write a value sealed with the old key in between.
 */
export async function rotateSecrets(db: DbOrTx, box: SecretBox): Promise<RotationReport> {
  const report: RotationReport = { resealed: {}, alreadyCurrent: 0, primaryKid: box.primaryKid };
  const run = async (tx: DbOrTx) => {
    for (const col of COLUMNS) {
      const key = col.keyColumn ?? 'id';
      const rows = rowsOf<{ k: string; v: string }>(
        await tx.execute(
          sql`select ${sql.identifier(key)}::text as k, ${sql.identifier(col.column)} as v from ${sql.identifier(col.table)} where ${sql.identifier(col.column)} is not null for update`,
        ),
      );
      let n = 0;
      for (const r of rows) {
        if (box.isCurrent(r.v)) {
          report.alreadyCurrent++;
          continue;
        }
        const next = box.reseal(r.v, col.aad ? col.aad(r.k) : '');
        await tx.execute(
          sql`update ${sql.identifier(col.table)} set ${sql.identifier(col.column)} = ${next} where ${sql.identifier(key)}::text = ${r.k}`,
        );
        n++;
      }
      report.resealed[`${col.table}.${col.column}`] = n;
    }
  };
  await ('transaction' in db ? db.transaction(run) : run(db));
  return report;
}
