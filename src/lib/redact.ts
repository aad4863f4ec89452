/**
 * Secrets never reach a log line or an error message. `redactText` masks bearer tokens, JWT-like strings,
 * Stripe keys, query strings with secrets and any value registered with `registerSecret` (tokens loaded at
 * run time, client secrets). Provider error bodies go through it before they are kept anywhere.
 */
const registered = new Set<string>();
/** Keep the most recent secrets only (tokens rotate; a long-running worker registers many). */
const MAX_REGISTERED = 5000;
/** Any run of this many characters of a registered secret counts as an echo of it. */
const FRAGMENT = 10;
let fragments: Set<string> | null = null;

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 8 || registered.has(value)) return;
  registered.add(value);
  if (registered.size > MAX_REGISTERED) {
    const oldest = registered.values().next().value;
    if (oldest !== undefined) registered.delete(oldest);
    fragments = null; // rebuilt on next use
  } else if (fragments) {
    addFragments(fragments, value);
  }
}

function addFragments(f: Set<string>, s: string): void {
  if (s.length < 16) return;
  for (let i = 0; i + FRAGMENT <= s.length; i++) f.add(s.slice(i, i + FRAGMENT));
}

function fragmentIndex(): Set<string> {
  if (fragments) return fragments;
  const f = new Set<string>();
  for (const s of registered) addFragments(f, s);
  fragments = f;
  return f;
}

const RUN = /[A-Za-z0-9._~+/=-]{10,}/g;

/** Mask every run of token characters that contains a fragment of a registered secret. */
function maskFragments(text: string): string {
  const index = fragmentIndex();
  if (index.size === 0) return text;
  return text.replace(RUN, (run) => {
    for (let i = 0; i + FRAGMENT <= run.length; i++) {
      if (index.has(run.slice(i, i + FRAGMENT))) return '[redacted]';
    }
    return run;
  });
}

/** Whole matches replaced by [redacted]. */
const WHOLE: RegExp[] = [
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]*)?/g, // JWT
  /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{6,}/g, // Stripe keys
  /\bwhsec_[A-Za-z0-9]{6,}/g, // Stripe webhook secrets
  /\blb_[A-Za-z0-9_-]{16,}/g, // our API keys
  /\b(AB|RT1-)[0-9]{2}[A-Za-z0-9-]{20,}/g, // Intuit refresh tokens
];
/** The first group is kept, the rest replaced. */
const PREFIXED: RegExp[] = [
  /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /([?&](?:code|token|access_token|refresh_token|client_secret|state|code_verifier)=)[^&\s"']+/gi,
  /("(?:access_token|refresh_token|id_token|client_secret|token|api_key|apiKey|webhook_secret)"\s*:\s*")[^"]+/gi,
];

export function redactText(text: string): string {
  let out = text;
  for (const s of registered) {
    if (out.includes(s)) out = out.split(s).join('[redacted]');
  }
  // providers echo fragments of tokens ("Token expired: AB0160…", the tail of a refresh token)
  out = maskFragments(out);
  for (const re of WHOLE) out = out.replace(re, '[redacted]');
  for (const re of PREFIXED) out = out.replace(re, (_m, keep: string) => `${keep}[redacted]`);
  return out;
}

/** Deep-redact a JSON-like value (keys that name secrets are masked whole). */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}

const SECRET_KEY =
  /^(authorization|cookie|set-cookie|access_?token|refresh_?token|id_?token|client_?secret|api_?key|password|secret|webhook_?secret|token|code_verifier)$/i;
