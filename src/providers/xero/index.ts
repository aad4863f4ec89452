export { FULL_PASS_KINDS, pullXeroResources, runXeroFullPass, type XeroResourceRef } from './complete.js';
export type { XeroDeps } from './context.js';
export { deriveAndCheckGl, type GlCheckResult } from './gl.js';
export { deleteXeroPayment, type PushOutcome, pushXeroInvoices, pushXeroPayment } from './push.js';
export { park, syncXeroConnection, type XeroSyncOutcome } from './sync.js';
