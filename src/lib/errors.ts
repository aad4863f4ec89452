/**
 * The error registry: stable snake_case codes with an HTTP status and a retryable flag.
 * Provider failures are classified by status, headers and parsed body, never by message text.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, retryable: false, title: 'Validation failed' },
  bad_request: { status: 400, retryable: false, title: 'Bad request' },
  unauthorized: { status: 401, retryable: false, title: 'Unauthorized' },
  forbidden: { status: 403, retryable: false, title: 'Forbidden' },
  not_found: { status: 404, retryable: false, title: 'Not found' },
  conflict: { status: 409, retryable: false, title: 'Conflict' },
  payload_too_large: { status: 413, retryable: false, title: 'Payload too large' },
  unsupported_media_type: { status: 415, retryable: false, title: 'Unsupported media type' },
  webhook_bad_signature: { status: 401, retryable: false, title: 'Bad webhook signature' },
  oauth_state_invalid: { status: 400, retryable: false, title: 'Invalid OAuth state' },
  file_rejected: { status: 422, retryable: false, title: 'File rejected' },
  provider_rate_limited: { status: 503, retryable: true, title: 'Provider rate limited' },
  provider_unavailable: { status: 502, retryable: true, title: 'Provider unavailable' },
  provider_timeout: { status: 504, retryable: true, title: 'Provider timed out' },
  provider_auth_expired: { status: 502, retryable: false, title: 'Provider authorisation expired' },
  provider_forbidden: { status: 502, retryable: false, title: 'Provider refused the call' },
  provider_validation: { status: 422, retryable: false, title: 'Provider rejected the data' },
  provider_conflict: { status: 409, retryable: false, title: 'Provider conflict' },
  provider_duplicate: { status: 409, retryable: false, title: 'Provider reports a duplicate' },
  provider_error: { status: 502, retryable: true, title: 'Provider error' },
  database_locked: { status: 503, retryable: false, title: 'Database in use by another process' },
  not_configured: { status: 503, retryable: false, title: 'Not configured' },
  internal: { status: 500, retryable: false, title: 'Internal error' },
} as const satisfies Record<string, { status: number; retryable: boolean; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number;
  readonly fields: FieldProblem[] | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** For rate limits: when to try again. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: {
      cause?: unknown;
      fields?: FieldProblem[];
      details?: Record<string, unknown>;
      retryable?: boolean;
      retryAfterMs?: number;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryable = opts.retryable ?? ERROR_CODES[code].retryable;
    this.fields = opts.fields;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}
