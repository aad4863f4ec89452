// Tables owned by the qbo area. Filled in by its issue.
export {};
