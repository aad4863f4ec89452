export { MATCH_BOOKS_WINDOW_DAYS } from './books.js';
export { type ReconcileOptions, reconcileFirm } from './engine.js';
export type { InvoiceView, ReconcileStats } from './model.js';
export { type DecisionRow, listDecisions, openInvoices } from './queries.js';
