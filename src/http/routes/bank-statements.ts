import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { isFileFormat } from '../../connectors/files/index.js';
import type { CsvProfileInput } from '../../connectors/files/profile.js';
import { importStatement, listStatements } from '../../db/repos/bank.js';
import { AppError, isAppError } from '../../lib/errors.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { problem, problemResponse } from '../errors.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const truthy = (v: string | undefined) => v === 'true' || v === '1' || v === 'yes';

interface Upload {
  content: Uint8Array;
  fileName: string | undefined;
  fields: Record<string, string | undefined>;
}

/** The file as the raw body (options in the query) or as multipart field `file` (options as fields too). */
async function readUpload(req: Request, query: Record<string, string>): Promise<Upload> {
  const type = req.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await req.formData();
    const file = form.get('file');
    if (!file || typeof file === 'string')
      throw new AppError('validation_failed', 'send the statement as the multipart field "file"', {
        fields: [{ path: 'file', message: 'required (a file)' }],
      });
    const fields: Record<string, string | undefined> = { ...query };
    for (const [k, v] of form.entries()) if (typeof v === 'string') fields[k] = v;
    return {
      content: new Uint8Array(await file.arrayBuffer()),
      fileName: file.name || query.fileName,
      fields,
    };
  }
  const content = new Uint8Array(await req.arrayBuffer());
  return { content, fileName: query.fileName, fields: query };
}

/** POST /api/v1/bank-statements: import a statement file; answers lines read / new / already known. */
const Counts = z
  .object({
    format: z.enum(['ofx', 'camt053', 'bai2', 'mt940', 'csv']),
    bankAccountId: z.uuid(),
    statementId: z.uuid(),
    linesRead: z.number().int(),
    linesNew: z.number().int(),
    linesKnown: z.number().int(),
    statements: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('BankStatementImport');

/** Documented by hand: the body is a file (any content type) or multipart, so it is read, not validated. */
function document(app: OpenAPIHono<AppEnv>): void {
  const option = (name: string, description: string) => ({
    name,
    in: 'query' as const,
    required: false,
    description,
    schema: { type: 'string' as const },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/bank-statements',
    summary: 'Import a bank statement file (OFX/QFX, CAMT.053, BAI2, MT940, CSV)',
    security: [{ apiKey: [] }],
    parameters: [
      option('format', 'ofx | camt053 | bai2 | mt940 | csv (default: detected)'),
      option('profile', 'CSV: a shipped profile name, or a profile as JSON'),
      option('account', "bank account id, number or IBAN (default: the file's)"),
      option(
        'allowUnbalanced',
        'true: import although the control figures do not add up (raises an exception)',
      ),
      option('fileName', 'the file name, for the record and format detection'),
    ],
    responses: {
      200: {
        description: 'Imported before: nothing new',
        content: { 'application/json': { schema: Counts } },
      },
      201: { description: 'Imported', content: { 'application/json': { schema: Counts } } },
      422: { description: 'The file is rejected: format, place and reason (problem+json)' },
    },
  });
}

const StatementView = z
  .object({
    id: z.uuid(),
    bankAccountId: z.uuid(),
    format: z.string(),
    fileName: z.string().nullable(),
    periodStart: z.string().nullable(),
    periodEnd: z.string().nullable(),
    openingBalanceMinor: z.number().int().nullable(),
    closingBalanceMinor: z.number().int().nullable(),
    linesRead: z.number().int(),
    linesNew: z.number().int(),
    importedBy: z.string(),
    importedAt: z.string(),
    mismatches: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('BankStatement');

const list = createRoute({
  method: 'get',
  path: '/bank-statements',
  summary: 'Imported bank statements, oldest first',
  request: { query: PageQuery.extend({ bankAccountId: z.uuid().optional() }) },
  responses: {
    200: {
      description: 'A page of statements',
      content: { 'application/json': { schema: pageSchema(StatementView) } },
    },
  },
});

export function bankStatementRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  document(app);
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listStatements(deps.db, {
      firmId: c.get('firmId'),
      bankAccountId: q.bankAccountId,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.importedAt.toISOString(), id: r.id }));
    return c.json(
      {
        items: page.items.map((r) => ({
          id: r.id,
          bankAccountId: r.bankAccountId,
          format: r.format,
          fileName: r.fileName,
          periodStart: r.periodStart,
          periodEnd: r.periodEnd,
          openingBalanceMinor: r.openingBalanceMinor,
          closingBalanceMinor: r.closingBalanceMinor,
          linesRead: r.linesRead,
          linesNew: r.linesNew,
          importedBy: r.importedBy,
          importedAt: r.importedAt.toISOString(),
          mismatches: ((r.details as { mismatches?: unknown[] }).mismatches ?? []) as Record<
            string,
            unknown
          >[],
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  app.post('/bank-statements', async (c) => {
    const up = await readUpload(c.req.raw, c.req.query());
    if (up.content.byteLength === 0)
      throw new AppError('validation_failed', 'the request carries no file', {
        fields: [{ path: 'file', message: 'required' }],
      });
    const f = up.fields;
    if (f.format && !isFileFormat(f.format))
      throw new AppError(
        'validation_failed',
        `format must be ofx, camt053, bai2, mt940 or csv, not "${f.format}"`,
        {
          fields: [{ path: 'format', message: 'unknown format' }],
        },
      );
    let profile: string | CsvProfileInput | undefined = f.profile;
    if (profile?.trim().startsWith('{')) {
      try {
        profile = JSON.parse(profile) as CsvProfileInput;
      } catch {
        throw new AppError('validation_failed', 'profile is neither a profile name nor JSON', {
          fields: [{ path: 'profile', message: 'invalid JSON' }],
        });
      }
    }
    try {
      const r = await importStatement(deps.db, {
        firmId: c.get('firmId'),
        actor: c.get('actor'),
        auditDetails: { apiKeyId: c.get('apiKeyId') },
        content: up.content,
        fileName: up.fileName,
        format: f.format && isFileFormat(f.format) ? f.format : undefined,
        profile,
        ...(f.account && UUID.test(f.account) ? { bankAccountId: f.account } : { accountNumber: f.account }),
        allowUnbalanced: truthy(f.allowUnbalanced),
        createAccount: truthy(f.createAccount),
      });
      // new lines join cash application: the worker reconciles the firm next
      if (r.linesNew > 0) {
        await deps.queue?.send({
          type: 'reconcile.firm',
          payload: { firmId: c.get('firmId') },
          key: `reconcile:${c.get('firmId')}:${r.statementId}`,
          groupId: c.get('firmId'),
        });
      }
      return c.json(r, r.linesNew > 0 || r.statements.some((s) => !s.alreadyImported) ? 201 : 200);
    } catch (e) {
      if (isAppError(e) && e.code === 'file_rejected') {
        const d = e.details ?? {};
        return problemResponse(c, {
          ...problem('file_rejected', e.message, { instance: c.req.path }),
          format: d.format,
          place: d.place,
          reason: d.reason,
          ...(d.mismatches ? { mismatches: d.mismatches } : {}),
        } as ReturnType<typeof problem>);
      }
      throw e;
    }
  });
  return app;
}
