import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'run the main job on a recorded sample firm (no network, no credentials), then serve the API',
    )
    .option('--once', 'exit after the summary')
    .option('--provider <provider>', 'xero | qbo', 'xero')
    .option('--port <port>', 'port to serve on (default PORT)')
    .action(async (opts: { once?: boolean; provider: string; port?: string }) => {
      const { runDemoCommand } = await import('../../demo/command.js');
      await runDemoCommand(ctx, opts);
    });
}
