import type { ConnCtx } from '../../../src/connectors/connector.js';
import type { QboDataset } from '../../../src/connectors/qbo/replay.js';
import { connections, firms } from '../../../src/db/schema/index.js';
import type { Db } from '../../../src/db/types.js';
import { silentLogger } from '../../../src/lib/logger.js';

export const REALM = '9130355377388226';
export const TOKEN =
  'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..qbo-test-access-token-0123456789abcdef';

export async function seedConnection(db: Db, name = 'Red Rock LLP'): Promise<ConnCtx> {
  const [firm] = await db
    .insert(firms)
    .values({ name, baseCurrency: 'USD', timezone: 'America/Los_Angeles' })
    .returning();
  const [conn] = await db
    .insert(connections)
    .values({ firmId: firm!.id, provider: 'qbo', tenantId: REALM, displayName: `${name} (QBO)` })
    .returning();
  return {
    firmId: firm!.id,
    connectionId: conn!.id,
    tenantId: REALM,
    accessToken: async () => TOKEN,
    logger: silentLogger,
    firm: { timezone: 'America/Los_Angeles', baseCurrency: 'USD' },
  };
}

export const preferences = (bookCloseDate?: string) => ({
  CurrencyPrefs: { MultiCurrencyEnabled: true, HomeCurrency: { value: 'USD' } },
  AccountingInfoPrefs: bookCloseDate ? { BookCloseDate: bookCloseDate } : {},
});

export const accounts = () => [
  {
    Id: '4',
    Name: 'Undeposited Funds',
    AccountType: 'Other Current Asset',
    AccountSubType: 'UndepositedFunds',
    Classification: 'Asset',
    Active: true,
  },
  { Id: '35', Name: 'Checking', AccountType: 'Bank', Classification: 'Asset', Active: true },
  {
    Id: '84',
    Name: 'Accounts Receivable (A/R)',
    AccountType: 'Accounts Receivable',
    Classification: 'Asset',
    Active: true,
  },
  { Id: '1', Name: 'Services', AccountType: 'Income', Classification: 'Revenue', Active: true },
];

export function dataset(
  entities: Record<string, Record<string, unknown>[]>,
  extra: Partial<QboDataset> = {},
): QboDataset {
  return {
    realmId: REALM,
    accessToken: TOKEN,
    preferences: preferences(),
    ...extra,
    entities: { Account: accounts(), Customer: [], ...entities },
  };
}

export const meta = (t: string) => ({ CreateTime: t, LastUpdatedTime: t });
