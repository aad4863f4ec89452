/**
 * The connections area: OAuth grants (one token set, the unit locked and refreshed) and the connections
 * (organisations/companies) they reach. What other areas use:
 * - `accessTokenFor(deps, connectionId)` → ConnCtx.accessToken;
 * - `reportAuthFailure(deps, …)` when a provider call answers 401/403 (tier refusals are not reauth);
 * - `classifyXeroAuthFailure` / `classifyQboAuthFailure` from the provider oauth modules;
 * - `refreshIdleGrants(deps)` for the scheduler;
 * - `disconnectConnection` (works for non-OAuth connections too: deletes connections.secret_ciphertext).
 */
export { beginConsent, chooseXeroOrgs, completeCallback, createConnectLink } from './connect.js';
export type { ConnectionsDeps } from './deps.js';
export { providerFor } from './deps.js';
export { IDLE_REFRESH_AFTER_MS, refreshIdleGrants } from './idle.js';
export {
  type ConnectionView,
  disconnectConnection,
  getConnection,
  listConnections,
  reportAuthFailure,
} from './lifecycle.js';
export { connectUrl } from './links.js';
export {
  isOAuthProvider,
  OAUTH_PROVIDERS,
  type OAuthProviderId,
  type ProviderOAuth,
  redirectUri,
} from './providers.js';
export { accessTokenFor, GrantUnusable, grantAccessToken, REFRESH_SKEW_MS } from './refresh.js';
export { registerRotatableSecret, rotateSecrets } from './rotate.js';
