// Tables owned by the webhooks area. Filled in by its issue.
export {};
