// Tables owned by the files area. Filled in by its issue.
export {};
