import type { Command } from 'commander';
import { createConnectLink } from '../../connections/connect.js';
import type { ConnectionsDeps } from '../../connections/deps.js';
import { refreshIdleGrants } from '../../connections/idle.js';
import { type OAuthProviderId, providerFor, redirectUri } from '../../connections/index.js';
import { disconnectConnection, listConnections } from '../../connections/lifecycle.js';
import { rotateSecrets } from '../../connections/rotate.js';
import type { Database } from '../../db/client.js';
import { requireFirm } from '../../db/repos/firms.js';
import { systemClock } from '../../lib/clock.js';
import { secretBoxFor } from '../../lib/crypto.js';
import { AppError } from '../../lib/errors.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';
import { stripeConnectionAdder } from './stripe.js';

/**
 * `ledgerbridge connections [--firm]` lists; `connections add <provider>` starts a connection;
 * `connections disconnect <id>`; `connections refresh-idle`.
 *
 * To add a provider to `connections add` (e.g. stripe), write `(add: Command, ctx: CliContext) => void`
 * and put it in CONNECTION_ADDERS below (one line), or call `connections.commands.find(c => c.name()
 * === 'add')` on the Command this function returns.
 */
export type ConnectionAdder = (add: Command, ctx: CliContext) => void;

export const depsFor = (ctx: CliContext, database: Database): ConnectionsDeps => ({
  config: ctx.config,
  db: database.db,
  logger: ctx.logger,
  clock: systemClock,
});

const oauthAdder =
  (provider: OAuthProviderId, label: string): ConnectionAdder =>
  (add, ctx) => {
    add
      .command(provider)
      .description(`connect ${label} by OAuth: prints a link to open in a browser (valid 15 minutes)`)
      .option('--firm <firm>', 'firm id or name')
      .action(async (_opts: unknown, cmd: Command) => {
        const firmArg = firmOption(cmd);
        await ctx.withDb('cli', async (database) => {
          const deps = depsFor(ctx, database);
          const firm = await requireFirm(database.db, firmArg);
          providerFor(deps, provider);
          const link = createConnectLink(deps, { firmId: firm.id, provider, actor: 'cli', apiKeyId: null });
          ctx.out(
            `Open this link in a browser before ${link.expiresAt.toISOString()} to connect ${label} for ${firm.name}:`,
          );
          ctx.out(link.url);
          ctx.out(`(the app's redirect URI must be ${redirectUri(ctx.config, provider)})`);
        });
      });
  };

/** `--firm` may be given before or after the subcommand (`connections --firm X add xero` works too). */
export function firmOption(cmd: Command): string {
  const firm = (cmd.optsWithGlobals() as { firm?: string }).firm;
  if (!firm)
    throw new AppError('validation_failed', 'say which firm: --firm <firm id or name>', {
      fields: [{ path: 'firm', message: 'required' }],
    });
  return firm;
}

export const CONNECTION_ADDERS: ConnectionAdder[] = [
  oauthAdder('xero', 'Xero'),
  oauthAdder('qbo', 'QuickBooks Online'),
  stripeConnectionAdder,
];

export function registerConnections(program: Command, ctx: CliContext): Command {
  const connections = program
    .command('connections')
    .description(
      'connected Xero organisations / QuickBooks companies: status, scopes, token expiry, last error',
    )
    .option('--firm <firm>', 'only this firm (id or name)')
    .option('--json', 'print JSON')
    .action(async (opts: { firm?: string; json?: boolean }) => {
      await ctx.withDb('cli', async (database) => {
        const firm = opts.firm ? await requireFirm(database.db, opts.firm) : null;
        const list = await listConnections({ db: database.db }, { firmId: firm?.id });
        if (opts.json) return ctx.out(JSON.stringify(list, null, 2));
        if (!list.length) {
          return ctx.out('no connections yet: ledgerbridge connections add xero --firm <firm> (or qbo)');
        }
        ctx.out(
          renderTable(
            ['id', 'provider', 'organisation', 'status', 'scopes', 'token expires', 'last error'],
            list.map((c) => [
              c.id,
              c.provider,
              `${c.org.name}${c.org.tenantId ? `\n${c.org.tenantId}` : ''}`,
              c.status,
              c.scopes.join(' '),
              c.tokenExpiresAt ?? '',
              c.lastError ?? '',
            ]),
          ),
        );
      });
    });
  const add = connections.command('add').description('connect a provider');
  for (const adder of CONNECTION_ADDERS) adder(add, ctx);
  connections
    .command('disconnect <connectionId>')
    .description(
      'disconnect (Xero: remove the org, revoke the grant when last; QBO: revoke) and delete its tokens',
    )
    .option('--firm <firm>', 'firm id or name')
    .action(async (connectionId: string, _opts: unknown, cmd: Command) => {
      const firmArg = firmOption(cmd);
      await ctx.withDb('cli', async (database) => {
        const firm = await requireFirm(database.db, firmArg);
        const v = await disconnectConnection(depsFor(ctx, database), {
          firmId: firm.id,
          connectionId,
          actor: 'cli',
        });
        ctx.out(`disconnected ${v.provider} ${v.org.name} (${v.id})`);
      });
    });
  connections
    .command('refresh-idle')
    .description('refresh grants idle for a week (the server does this on a schedule)')
    .action(async () => {
      await ctx.withDb('cli', async (database) => {
        const r = await refreshIdleGrants(depsFor(ctx, database));
        ctx.out(
          `checked ${r.checked}, refreshed ${r.refreshed}, needs reauth ${r.needsReauth}, failed ${r.failed}`,
        );
      });
    });
  return connections;
}

/** `ledgerbridge keys rotate` (attached to the keys command). */
export function registerKeysRotate(keys: Command, ctx: CliContext): void {
  keys
    .command('rotate')
    .description('re-encrypt every stored secret with the first key of TOKEN_ENCRYPTION_KEYS')
    .action(async () => {
      const box = secretBoxFor(ctx.config);
      await ctx.withDb('cli', async (database) => {
        const r = await rotateSecrets(database.db, box);
        const total = Object.values(r.resealed).reduce((a, b) => a + b, 0);
        ctx.out(`re-encrypted ${total} secrets with key ${r.primaryKid} (${r.alreadyCurrent} already were)`);
        for (const [col, n] of Object.entries(r.resealed)) ctx.out(`  ${col}: ${n}`);
        ctx.out('Older keys can now be removed from TOKEN_ENCRYPTION_KEYS.');
      });
    });
}
