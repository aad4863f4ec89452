import { Command, CommanderError } from 'commander';
import { registerConnections, registerKeysRotate } from './commands/connections.js';
import { registerDb } from './commands/db.js';
import { registerDemo } from './commands/demo.js';
import { registerExceptions } from './commands/exceptions.js';
import { registerFirms } from './commands/firms.js';
import { registerImport } from './commands/import.js';
import { registerKeys } from './commands/keys.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerServe } from './commands/serve.js';
import { registerStripe } from './commands/stripe.js';
import { registerSync } from './commands/sync.js';
import { registerWorker } from './commands/worker.js';
import type { CliContext } from './context.js';

/** The commands a person runs. Each area registers its own (one line here). */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('ledgerbridge')
    .description('billing, cash application and tie-out for firms on QuickBooks Online or Xero with Stripe')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program, ctx);
  registerDemo(program, ctx);
  registerDb(program, ctx);
  registerFirms(program, ctx);
  registerKeysRotate(registerKeys(program, ctx), ctx);
  registerConnections(program, ctx);
  registerExceptions(program, ctx);
  registerSync(program, ctx);
  registerReconcile(program, ctx);
  registerImport(program, ctx);
  registerWorker(program, ctx);
  registerStripe(program, ctx);
  return program;
}

export { CommanderError };
