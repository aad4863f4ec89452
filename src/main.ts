import { createCliContext } from './cli/context.js';
import { buildProgram, CommanderError } from './cli/index.js';
import { ConfigError, loadConfig } from './config/env.js';
import { AppError } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import { redactText } from './lib/redact.js';

/** What reaches the terminal: secrets masked, control characters (from a binary file, say) shown as '?'. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const printable = (s: string) => redactText(s).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');

/** Boot: parse the environment once, build the CLI, run the command. */
async function main(argv: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ledgerbridge: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const program = buildProgram(createCliContext(config, logger));
  try {
    await program.parseAsync(argv, { from: 'node' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof AppError) {
      process.stderr.write(`ledgerbridge: ${printable(e.message)}\n`);
      for (const f of e.fields ?? []) process.stderr.write(`  ${f.path}: ${printable(f.message)}\n`);
      return e.code === 'database_locked' ? 3 : 1;
    }
    logger.error({ err: e }, 'command failed');
    process.stderr.write(`ledgerbridge: ${printable(e instanceof Error ? e.message : String(e))}\n`);
    return 1;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ledgerbridge: ${redactText(String(e))}\n`);
    process.exitCode = 1;
  },
);
