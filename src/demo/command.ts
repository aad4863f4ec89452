import type { CliContext } from '../cli/context.js';

export async function runDemoCommand(
  ctx: CliContext,
  _opts: { once?: boolean; provider: string; port?: string },
): Promise<void> {
  ctx.out('demo: not built yet');
}
