import { Hono } from 'hono';
import { isFileFormat } from '../../connectors/files/index.js';
import type { CsvProfileInput } from '../../connectors/files/profile.js';
import { importStatement } from '../../db/repos/bank.js';
import { AppError, isAppError } from '../../lib/errors.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { problem, problemResponse } from '../errors.js';

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
export function bankStatementRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
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
        content: up.content,
        fileName: up.fileName,
        format: f.format && isFileFormat(f.format) ? f.format : undefined,
        profile,
        ...(f.account && UUID.test(f.account) ? { bankAccountId: f.account } : { accountNumber: f.account }),
        allowUnbalanced: truthy(f.allowUnbalanced),
        createAccount: truthy(f.createAccount),
      });
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
