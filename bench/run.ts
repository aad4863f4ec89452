import { runIngestBench } from './ingest.js';

/**
 * `npm run bench`: every benchmark reports a rate and its ratio to a baseline measured in the same run.
 * INVOICES (default 50000) sizes the ingest run. TEST_DATABASE_URL adds the Postgres server.
 */
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const n = Number(process.env.BENCH_INVOICES ?? 50_000);
  const targets: { label: string; url: string | undefined }[] = [
    { label: 'PGlite (embedded)', url: undefined },
  ];
  if (process.env.TEST_DATABASE_URL)
    targets.push({ label: 'PostgreSQL server', url: process.env.TEST_DATABASE_URL });

  console.log(`pull ingest: ${fmt(n)} Xero invoices (2 lines each) in pages of 100`);
  for (const t of targets) {
    const r = await runIngestBench({ invoices: n, databaseUrl: t.url });
    console.log(
      `  ${t.label.padEnd(20)} baseline bare INSERT ${fmt(r.baselinePerSec)} invoices/s | map+validate+upsert ${fmt(r.ingestPerSec)} invoices/s (ratio ${r.ratio.toFixed(2)}) | re-pull, nothing changed ${fmt(r.replayPerSec)} invoices/s`,
    );
  }

  try {
    const mod = (await import('./webhooks.js')) as { runWebhookBench?: () => Promise<void> };
    if (mod.runWebhookBench) await mod.runWebhookBench();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
