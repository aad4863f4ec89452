// Tables owned by the queue area. Filled in by its issue.
export {};
