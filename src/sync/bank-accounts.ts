import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { accounts, bankAccounts } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';

/** Client-money accounts by name: the safe default is to treat them as trust until a person says not. */
const TRUST_NAME = /\b(trust|iolta|client\s+(money|funds|account)|escrow)\b/i;

/**
 * Every bank account in the connected ledger becomes one of the firm's bank accounts (statement lines
 * attach to it by account number). Accounts whose name says client money start with `trust` set, so
 * client money is never auto-applied unless a person clears the flag. Existing rows keep their flag.
 */
export async function syncBankAccounts(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
): Promise<number> {
  const ledger = await db
    .select()
    .from(accounts)
    .where(
      and(
        eq(accounts.firmId, scope.firmId),
        eq(accounts.connectionId, scope.connectionId),
        eq(accounts.isBank, true),
        isNotNull(accounts.currency),
      ),
    );
  let created = 0;
  for (const a of ledger) {
    const out = await db
      .insert(bankAccounts)
      .values({
        firmId: scope.firmId,
        connectionId: scope.connectionId,
        ledgerAccountExternalId: a.externalId,
        name: a.name,
        accountNumber: a.bankAccountNumber,
        currency: a.currency ?? 'USD',
        trust: TRUST_NAME.test(a.name),
      })
      .onConflictDoUpdate({
        target: [bankAccounts.firmId, bankAccounts.connectionId, bankAccounts.ledgerAccountExternalId],
        set: {
          name: a.name,
          accountNumber: sql`coalesce(excluded.account_number, ${bankAccounts.accountNumber})`,
        },
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    if (out[0]?.inserted) created++;
  }
  return created;
}
