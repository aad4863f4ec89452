import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { isFileFormat } from '../../connectors/files/index.js';
import type { CsvProfileInput } from '../../connectors/files/profile.js';
import { importStatement } from '../../db/repos/bank.js';
import { AppError } from '../../lib/errors.js';
import type { CliContext } from '../context.js';
import { firmOption } from './exceptions.js';

interface ImportBankOpts {
  format?: string;
  profile?: string;
  account?: string;
  firm?: string;
  allowUnbalanced?: boolean;
  createAccount?: boolean;
  json?: boolean;
}

/** A shipped profile's name, or a path to a firm's own profile file (JSON). */
function profileOption(p: string | undefined): string | CsvProfileInput | undefined {
  if (!p) return undefined;
  if (p.endsWith('.json') || existsSync(p)) {
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as CsvProfileInput;
    } catch (e) {
      throw new AppError('validation_failed', `cannot read the profile file ${p}: ${(e as Error).message}`);
    }
  }
  return p;
}

export function registerImport(program: Command, ctx: CliContext): void {
  // `import` is shared: other areas may add their own subcommands (import time …) to the same parent
  const imp =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import files');
  imp
    .command('bank')
    .description('import a bank statement file (OFX/QFX, CAMT.053, BAI2, MT940, CSV)')
    .argument('<file>', 'the statement file')
    .option('--format <format>', 'ofx | camt053 | bai2 | mt940 | csv (default: detected)')
    .option('--profile <profile>', 'CSV: a shipped profile name or a profile JSON file')
    .option('--account <account>', "bank account id, number or IBAN (default: the file's)")
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .option(
      '--allow-unbalanced',
      "import even if the file's control figures do not add up (raises an exception)",
    )
    .option('--create-account', 'create the bank account when none matches the file')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: ImportBankOpts) => {
      if (opts.format && !isFileFormat(opts.format))
        throw new AppError(
          'validation_failed',
          `--format must be ofx, camt053, bai2, mt940 or csv, not "${opts.format}"`,
        );
      let content: Buffer;
      try {
        content = readFileSync(file);
      } catch (e) {
        throw new AppError(
          'validation_failed',
          `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      const profile = profileOption(opts.profile);
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await firmOption(db, opts.firm);
        const account = opts.account;
        const r = await importStatement(db, {
          firmId: firm.id,
          actor: `cli:${userInfo().username}`,
          content,
          fileName: basename(file),
          format: opts.format && isFileFormat(opts.format) ? opts.format : undefined,
          profile,
          ...(account && /^[0-9a-f-]{36}$/i.test(account)
            ? { bankAccountId: account }
            : { accountNumber: account }),
          allowUnbalanced: Boolean(opts.allowUnbalanced),
          createAccount: Boolean(opts.createAccount),
        }).catch((e: unknown) => {
          // name the file first: the reader's message names the place in it
          if (e instanceof AppError) {
            throw new AppError(e.code, `${file}: ${e.message}`, {
              cause: e,
              ...(e.fields ? { fields: e.fields } : {}),
              ...(e.details ? { details: e.details } : {}),
            });
          }
          throw e;
        });
        if (opts.json) return ctx.out(JSON.stringify(r, null, 2));
        ctx.out(
          `${basename(file)} (${r.format}): ${r.linesRead} lines read, ${r.linesNew} new, ${r.linesKnown} already known`,
        );
        for (const s of r.statements) {
          if (r.statements.length > 1)
            ctx.out(
              `  ${s.iban ?? s.accountNumber ?? s.bankAccountId}: ${s.linesRead} read, ${s.linesNew} new, ${s.linesKnown} known`,
            );
          for (const m of s.mismatches)
            ctx.out(`  unbalanced (imported, exception raised): ${m.place}: ${m.message}`);
        }
      });
    });
}
