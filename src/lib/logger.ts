import { type DestinationStream, type Logger, pino } from 'pino';
import { redactText, redactValue } from './redact.js';

export type { Logger };

/**
 * One logger. Every message and every bound object passes through the redactor, so a token echoed in
 * a provider's error body never reaches a log line.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? redactText(a) : redactValue(a)));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (e: unknown) => {
          if (e instanceof Error) {
            return redactValue({
              type: e.name,
              message: e.message,
              code: (e as { code?: unknown }).code,
              stack: e.stack,
            });
          }
          return redactValue(e);
        },
      },
    },
    destination ?? pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
