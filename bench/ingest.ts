import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import type { CanonicalRecord } from '../src/connectors/connector.js';
import { mapXeroPage } from '../src/connectors/xero/map.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createFirm } from '../src/db/repos/firms.js';
import { connections, invoiceLines, invoices } from '../src/db/schema/index.js';
import { recordHash, upsertRecords } from '../src/sync/upsert.js';

/**
 * Pull ingest: Xero invoice pages (100 a page, as Xero pages them) for N invoices, generated
 * deterministically, mapped from raw JSON, validated and upserted — against a baseline measured in the
 * same run: a bare multi-row INSERT of the same rows (already mapped; no validation, hashing or conflict
 * handling).
 */
export interface IngestResult {
  database: string;
  invoices: number;
  baselinePerSec: number;
  ingestPerSec: number;
  replayPerSec: number;
  ratio: number;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const msDate = (day: number) => `/Date(${Date.UTC(2026, 0, 1) + day * 86_400_000}+0000)/`;

export function generateInvoicePages(n: number, pageSize = 100): unknown[][] {
  const r = rng(42);
  const pages: unknown[][] = [];
  for (let p = 0; p * pageSize < n; p++) {
    const page: unknown[] = [];
    for (let i = p * pageSize; i < Math.min(n, (p + 1) * pageSize); i++) {
      const hours = (1 + Math.floor(r() * 40)) / 4;
      const rate = [250, 300, 325.5, 410][Math.floor(r() * 4)]!;
      const expenses = Math.floor(r() * 50000) / 100;
      const l1 = Math.round(hours * rate * 100) / 100;
      const total = Math.round((l1 + expenses) * 100) / 100;
      const day = Math.floor(r() * 300);
      page.push({
        Type: 'ACCREC',
        InvoiceID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        InvoiceNumber: `INV-${String(i + 1).padStart(6, '0')}`,
        Reference: `Matter ${i % 997}`,
        Contact: {
          ContactID: `10000000-0000-4000-8000-${String(i % 2000).padStart(12, '0')}`,
          Name: `Client ${i % 2000}`,
        },
        DateString: `${new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10)}T00:00:00`,
        Date: msDate(day),
        DueDate: msDate(day + 30),
        Status: 'AUTHORISED',
        LineAmountTypes: 'NoTax',
        LineItems: [
          {
            LineItemID: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            Description: 'Professional services',
            Quantity: hours,
            UnitAmount: rate,
            LineAmount: l1,
            AccountCode: '200',
            TaxType: 'NONE',
            TaxAmount: 0,
          },
          {
            LineItemID: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            Description: 'Disbursements',
            Quantity: 1,
            UnitAmount: expenses,
            LineAmount: expenses,
            AccountCode: '260',
            TaxType: 'NONE',
            TaxAmount: 0,
          },
        ],
        SubTotal: total,
        TotalTax: 0,
        Total: total,
        AmountDue: total,
        AmountPaid: 0,
        AmountCredited: 0,
        CurrencyCode: 'USD',
        CurrencyRate: 1,
        UpdatedDateUTC: msDate(day + 1),
      });
    }
    pages.push(page);
  }
  return pages;
}

async function openBenchDatabase(
  url: string | undefined,
): Promise<{ database: Database; drop(): Promise<void> }> {
  if (!url) {
    const database = await openDatabase({});
    await migrate(database.db);
    return { database, drop: () => database.close() };
  }
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema "${schema}"`);
  const database = await openDatabase({ databaseUrl: url, schema });
  await migrate(database.db);
  return {
    database,
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop schema "${schema}" cascade`);
      await admin.end();
    },
  };
}

export async function runIngestBench(opts: {
  invoices: number;
  databaseUrl?: string | undefined;
}): Promise<IngestResult> {
  const pages = generateInvoicePages(opts.invoices);
  const { database, drop } = await openBenchDatabase(opts.databaseUrl);
  const { db } = database;
  try {
    const firm = await createFirm(db, { name: 'Bench LLP', baseCurrency: 'USD', timezone: 'UTC' });
    const conn = async (name: string) =>
      (
        await db
          .insert(connections)
          .values({ firmId: firm.id, provider: 'xero', tenantId: name, displayName: name })
          .returning()
      )[0]!.id;
    const baseConn = await conn('baseline');
    const oursConn = await conn('ingest');

    // the baseline's rows: mapped beforehand, outside the timing
    const mapped = pages.map((p) => mapXeroPage('invoices', p, { baseCurrency: 'USD' }).records) as Extract<
      CanonicalRecord,
      { kind: 'invoice' }
    >[][];
    const t0 = performance.now();
    for (const page of mapped) {
      await db.transaction(async (tx) => {
        const rows = await tx
          .insert(invoices)
          .values(
            page.map((r) => {
              const { lines: _lines, ...d } = r.data;
              return {
                firmId: firm.id,
                connectionId: baseConn,
                raw: r.raw as object,
                contentHash: recordHash(r),
                ...d,
              };
            }),
          )
          .returning({ id: invoices.id });
        await tx.insert(invoiceLines).values(
          page.flatMap((r, i) =>
            r.data.lines.map((l, position) => ({
              firmId: firm.id,
              invoiceId: rows[i]!.id,
              position,
              ...l,
            })),
          ),
        );
      });
    }
    const baselineSec = (performance.now() - t0) / 1000;

    const ingest = async () => {
      const t = performance.now();
      let errors = 0;
      for (const page of pages) {
        const { records, errors: e } = mapXeroPage('invoices', page, { baseCurrency: 'USD' });
        errors += e.length;
        await db.transaction((tx) => upsertRecords(tx, { firmId: firm.id, connectionId: oursConn }, records));
      }
      if (errors) throw new Error(`${errors} generated invoices did not map`);
      return (performance.now() - t) / 1000;
    };
    const ingestSec = await ingest();
    const replaySec = await ingest(); // the same pages again: nothing changes, nothing is written
    const n = opts.invoices;
    return {
      database: database.kind,
      invoices: n,
      baselinePerSec: n / baselineSec,
      ingestPerSec: n / ingestSec,
      replayPerSec: n / replaySec,
      ratio: n / ingestSec / (n / baselineSec),
    };
  } finally {
    await drop();
  }
}
