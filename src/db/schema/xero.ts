// Tables owned by the xero area. Filled in by its issue.
export {};
