import type { Command } from 'commander';
import { and, eq } from 'drizzle-orm';
import { formatMinor } from '../../canonical/money.js';
import { requireFirm } from '../../db/repos/firms.js';
import { listStripePayouts } from '../../db/repos/stripe.js';
import { connections } from '../../db/schema/index.js';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { syncStripe } from '../../webhooks/stripe.js';
import { addStripeConnection } from '../../webhooks/stripe-connections.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';

/**
 * `ledgerbridge connections add stripe --firm … --api-key rk_… --webhook-secret whsec_…` (through
 * CONNECTION_ADDERS in connections.ts), `ledgerbridge stripe sync` and `ledgerbridge stripe payouts`.
 */
export function stripeConnectionAdder(add: Command, ctx: CliContext): void {
  add
    .command('stripe')
    .description('connect a Stripe account with a restricted API key and its webhook signing secret')
    // --firm is also an option of `connections` itself, which takes it first: read it from either
    .option('--firm <firm>', 'firm id or name')
    .requiredOption('--api-key <key>', 'restricted API key (rk_live_… / rk_test_…)')
    .requiredOption('--webhook-secret <secret>', 'signing secret of the webhook endpoint (whsec_…)')
    .option('--name <name>', 'display name')
    .action(
      async (opts: { firm?: string; apiKey: string; webhookSecret: string; name?: string }, cmd: Command) => {
        const firmArg = opts.firm ?? (cmd.optsWithGlobals() as { firm?: string }).firm;
        if (!firmArg) throw new AppError('validation_failed', 'connections add stripe needs --firm <firm>');
        await ctx.withDb('cli', async ({ db }) => {
          const firm = await requireFirm(db, firmArg);
          const view = await addStripeConnection(
            { db, config: ctx.config },
            {
              firmId: firm.id,
              apiKey: opts.apiKey,
              webhookSecret: opts.webhookSecret,
              ...(opts.name ? { displayName: opts.name } : {}),
              actor: 'cli',
            },
          );
          ctx.out(`connected ${view.displayName} for ${firm.name} (${view.id}), key ${view.keyHint}`);
          ctx.out(`point the Stripe webhook endpoint at ${view.webhookUrl}`);
        });
      },
    );
}

export function registerStripe(program: Command, ctx: CliContext): void {
  const stripe = program.command('stripe').description('Stripe: pull now, list payouts and their settlement');
  stripe
    .command('sync')
    .description('pull charges, refunds, disputes, payouts and the /v1/events catch-up, then settle payouts')
    .requiredOption('--firm <firm>', 'firm id or name')
    .option('--connection <id>', 'only this Stripe connection')
    .option('--full', 'ignore the stored cursors')
    .action(async (opts: { firm: string; connection?: string; full?: boolean }) => {
      await ctx.withDb('cli', async (database) => {
        const firm = await requireFirm(database.db, opts.firm);
        const list = await database.db
          .select({ id: connections.id, name: connections.displayName })
          .from(connections)
          .where(and(eq(connections.firmId, firm.id), eq(connections.provider, 'stripe')));
        const chosen = list.filter((c) => !opts.connection || c.id === opts.connection);
        if (!chosen.length) throw new AppError('not_found', `no Stripe connection for ${firm.name}`);
        const deps = {
          config: ctx.config,
          database,
          db: database.db,
          logger: ctx.logger,
          clock: systemClock,
        };
        for (const c of chosen) {
          const r = await syncStripe(deps, c.id, { ...(opts.full ? { full: true } : {}), trigger: 'cli' });
          ctx.out(`${c.name}: sync ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`);
          ctx.out(
            renderTable(
              ['entity', 'pulled', 'new', 'changed', 'unchanged', 'errors'],
              Object.entries(r.kinds).map(([k, s]) => [
                k,
                s.pulled,
                s.inserted,
                s.updated,
                s.unchanged,
                s.errors,
              ]),
            ),
          );
        }
      });
    });
  stripe
    .command('payouts')
    .description('recent payouts with their settlement status and fee posting')
    .requiredOption('--firm <firm>', 'firm id or name')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (opts: { firm: string; limit: string; json?: boolean }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await requireFirm(db, opts.firm);
        const rows = await listStripePayouts(db, { firmId: firm.id, limit: Number(opts.limit) || 20 });
        if (opts.json) return ctx.out(JSON.stringify(rows, null, 2));
        ctx.out(
          renderTable(
            ['payout', 'arrival', 'amount', 'status', 'settlement', 'fees'],
            rows.map(({ p, settlement }) => [
              p.externalId,
              p.arrivalDate,
              `${formatMinor(p.amountMinor, p.currency)} ${p.currency}`,
              p.status,
              settlement?.status ?? '',
              settlement
                ? formatMinor(
                    Number((settlement.breakdown as { feePostingMinor?: number }).feePostingMinor ?? 0),
                    p.currency,
                  )
                : '',
            ]),
          ),
        );
      });
    });
}
