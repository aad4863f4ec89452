import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, ERROR_CODES, type ErrorCode, type FieldProblem } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

/** RFC 9457 problem details, with our stable `code` and, for validation, the failing fields. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  fields?: FieldProblem[];
  instance?: string;
}

export function problem(code: ErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  const def = ERROR_CODES[code];
  return {
    type: `https://ledgerbridge.dev/problems/${code.replaceAll('_', '-')}`,
    title: def.title,
    status: extra.status ?? def.status,
    detail,
    code,
    ...extra,
  };
}

export function problemResponse(c: Context, p: Problem): Response {
  return c.body(JSON.stringify(p), p.status as 400, { 'content-type': 'application/problem+json' });
}

export function zodFields(error: ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/** The one onError: every failure leaves as problem+json; internals are logged, not shown. */
export function onError(logger: Logger) {
  return (e: Error, c: Context): Response => {
    if (e instanceof AppError) {
      if (e.status >= 500) logger.warn({ err: e, path: c.req.path }, 'request failed');
      return problemResponse(
        c,
        problem(e.code, e.message, {
          instance: c.req.path,
          ...(e.fields ? { fields: e.fields } : {}),
        }),
      );
    }
    if (e instanceof HTTPException) {
      const code: ErrorCode =
        e.status === 413
          ? 'payload_too_large'
          : e.status === 401
            ? 'unauthorized'
            : e.status === 404
              ? 'not_found'
              : 'bad_request';
      return problemResponse(
        c,
        problem(code, e.message || ERROR_CODES[code].title, { status: e.status, instance: c.req.path }),
      );
    }
    logger.error({ err: e, path: c.req.path }, 'unhandled error');
    return problemResponse(c, problem('internal', 'an unexpected error occurred', { instance: c.req.path }));
  };
}
