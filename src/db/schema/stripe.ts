// Tables owned by the stripe area. Filled in by its issue.
export {};
