/**
 * Loads every area's job handlers and schedules into the process-wide registries (they register at
 * import). ONE import line per area, e.g. `import '../stripe/jobs.js';`.
 */
import '../webhooks/jobs.js';
import '../providers/jobs.js';
import '../connections/jobs.js';
import '../providers/qbo/books.js';
