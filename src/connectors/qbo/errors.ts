import { XMLParser } from 'fast-xml-parser';
import { AppError, type ErrorCode } from '../../lib/errors.js';
import { redactText } from '../../lib/redact.js';

/**
 * QBO failures, classified from the HTTP status and the parsed `Fault.Error[].code` (never from message
 * text). Faults come as JSON (`Fault.Error`), as JSON with lower-case keys (the 401 body:
 * `fault.error`), or as XML (`IntuitResponse/Fault/Error@code`, e.g. a ThrottleExceeded 429).
 */
export interface QboFault {
  code: string;
  message: string | null;
  detail: string | null;
  element: string | null;
}

export interface QboFailure {
  status: number | null;
  headers: Record<string, string>;
  body: unknown;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

/** Read the faults of a QBO error body, whatever its format. */
export function parseFaults(body: unknown): { type: string | null; faults: QboFault[] } {
  let b = body;
  if (typeof b === 'string') {
    const t = b.trim();
    if (t.startsWith('<')) {
      try {
        b = xml.parse(t);
      } catch {
        return { type: null, faults: [] };
      }
    } else if (t.startsWith('{')) {
      try {
        b = JSON.parse(t);
      } catch {
        return { type: null, faults: [] };
      }
    } else return { type: null, faults: [] };
  }
  if (!isObj(b)) return { type: null, faults: [] };
  const root = isObj(b.IntuitResponse) ? b.IntuitResponse : b;
  const fault = (root.Fault ?? root.fault) as unknown;
  if (!isObj(fault)) return { type: null, faults: [] };
  const faults = asArray(fault.Error ?? fault.error).flatMap((e): QboFault[] => {
    if (!isObj(e)) return [];
    const code = str(e.code ?? e['@code'] ?? e.Code);
    if (!code) return [];
    return [
      {
        code,
        message: str(e.Message ?? e.message),
        detail: str(e.Detail ?? e.detail),
        element: str(e.element ?? e['@element']),
      },
    ];
  });
  return { type: str(fault.type ?? fault['@type']), faults };
}

/** QBO fault codes we branch on. */
export const FAULT = {
  authFailed: '3200',
  unauthorizedOperation: '3100',
  throttled: '3001',
  throttledConcurrent: '003001',
  staleObject: '5010',
  duplicateDocNumber: '6140',
  duplicateName: '6240',
  objectNotFound: '610',
  accountPeriodClosed: '6200',
} as const;

function codeFor(status: number | null, codes: string[]): ErrorCode {
  const has = (c: string) => codes.some((x) => x.replace(/^0+/, '') === c.replace(/^0+/, ''));
  if (status === 429 || has(FAULT.throttled)) return 'provider_rate_limited';
  if (status === 401 || has(FAULT.authFailed)) return 'provider_auth_expired';
  if (status === 403 || has(FAULT.unauthorizedOperation)) return 'provider_forbidden';
  if (has(FAULT.staleObject)) return 'provider_conflict';
  if (has(FAULT.duplicateDocNumber) || has(FAULT.duplicateName)) return 'provider_duplicate';
  if (has(FAULT.objectNotFound) || status === 404) return 'not_found';
  if (status !== null && status >= 500) return 'provider_unavailable';
  if (codes.length > 0 || status === 400) return 'provider_validation';
  return 'provider_error';
}

/** Retry-After in ms (seconds or an HTTP date); null when absent. */
export function retryAfterMs(headers: Record<string, string>, nowMs: number): number | null {
  const v = headers['retry-after'];
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/**
 * One AppError for a failed QBO call. The message names the operation, the status and the fault codes
 * and messages; details only for validation faults, always redacted (Intuit's 401 detail echoes part of
 * the token, so auth faults never carry theirs). The raw SDK error is never attached: it holds the
 * bearer token in its request headers.
 */
export function qboError(op: string, f: QboFailure, nowMs: number): AppError {
  const { type, faults } = parseFaults(f.body);
  const codes = faults.map((x) => x.code);
  const code = codeFor(f.status, codes);
  const auth = code === 'provider_auth_expired' || code === 'provider_forbidden';
  const parts = faults.map((x) => {
    const detail = !auth && x.detail ? `: ${x.detail}` : '';
    return `${x.code} ${x.message ?? ''}${detail}`.trim();
  });
  const what =
    code === 'provider_duplicate' && codes.includes(FAULT.duplicateDocNumber)
      ? 'duplicate document number'
      : code === 'provider_conflict'
        ? 'stale SyncToken (the object changed in QuickBooks)'
        : null;
  const message = redactText(
    `QBO ${op} failed (HTTP ${f.status ?? 'no response'}${faults.length ? `, fault ${parts.join('; ')}` : ''})${what ? `: ${what}` : ''}`,
  );
  const wait = code === 'provider_rate_limited' ? (retryAfterMs(f.headers, nowMs) ?? 60_000) : undefined;
  return new AppError(code, message, {
    details: { provider: 'qbo', op, status: f.status, faultType: type, faultCodes: codes },
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  });
}
