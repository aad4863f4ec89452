import { z } from 'zod';

/**
 * The only reader of process.env. One schema over every variable the program understands, parsed once
 * at start. A bad variable stops the program with a message naming it (see `loadConfig`).
 */
const csv = z.string().transform((s) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean),
);

const port = z.coerce.number().int().min(0).max(65535);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),

  /** Postgres server (15+). Unset: the embedded PGlite database in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./.ledgerbridge'),

  /** `kid:base64key[,kid:base64key…]`, 32-byte AES-256-GCM keys; the first encrypts. */
  TOKEN_ENCRYPTION_KEYS: z
    .string()
    .refine(
      (v) =>
        v
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
          .every(
            (e) =>
              /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]+={0,2}$/.test(e) &&
              Buffer.from(e.slice(e.indexOf(':') + 1), 'base64').length === 32,
          ),
      'expected kid:base64key[,kid:base64key…] with 32-byte keys (openssl rand -base64 32)',
    )
    .optional(),
  /** Signs connect URLs and OAuth `state`. Defaults to a key derived from TOKEN_ENCRYPTION_KEYS. */
  STATE_SIGNING_KEY: z.string().min(16).optional(),

  XERO_CLIENT_ID: z.string().optional(),
  XERO_CLIENT_SECRET: z.string().optional(),
  XERO_SCOPES: csv.default([
    'openid',
    'profile',
    'email',
    'offline_access',
    'accounting.invoices',
    'accounting.payments',
    'accounting.banktransactions',
    'accounting.contacts',
    'accounting.settings',
    'accounting.reports.read',
    'accounting.journals.read',
    'projects',
  ]),
  XERO_WEBHOOK_KEY: z.string().optional(),

  QBO_CLIENT_ID: z.string().optional(),
  QBO_CLIENT_SECRET: z.string().optional(),
  QBO_ENVIRONMENT: z.enum(['sandbox', 'production']).default('sandbox'),
  QBO_SCOPES: csv.default(['com.intuit.quickbooks.accounting']),
  QBO_WEBHOOK_VERIFIER_TOKEN: z.string().optional(),

  QUEUE: z.enum(['postgres', 'sqs']).default('postgres'),
  SQS_QUEUE_URL: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),

  WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1024).default(1_048_576),

  /** Cash application: a bank line within this many days of a booked payment is "already in the books". */
  MATCH_BOOKS_WINDOW_DAYS: z.coerce.number().int().min(0).max(31).default(5),
});

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n(see .env.example)`,
    );
    this.name = 'ConfigError';
  }
}

/** Parse the environment once. Empty strings count as unset. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Env {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const v = source[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  if (parsed.data.QUEUE === 'sqs' && !parsed.data.SQS_QUEUE_URL) {
    throw new ConfigError([{ variable: 'SQS_QUEUE_URL', message: 'required when QUEUE=sqs' }]);
  }
  return parsed.data;
}
