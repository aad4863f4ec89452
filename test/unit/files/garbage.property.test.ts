import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStatementFile } from '../../../src/connectors/files/index.js';
import { AppError } from '../../../src/lib/errors.js';
import { fixturePath } from '../../support/fixtures.js';

/** Damaged files (cut, spliced, bytes changed) either parse or are rejected with file_rejected: never a crash. */

const fixtures = ['ofx', 'qfx', 'camt053', 'bai2', 'mt940', 'csv'].flatMap((d) =>
  readdirSync(fixturePath('bank', d)).map((f) => readFileSync(fixturePath('bank', d, f))),
);

function outcome(bytes: Uint8Array): 'parsed' | 'rejected' {
  try {
    parseStatementFile(bytes);
    return 'parsed';
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    const err = e as AppError;
    expect(['file_rejected', 'validation_failed']).toContain(err.code);
    if (err.code === 'file_rejected') {
      expect(err.details).toMatchObject({
        format: expect.any(String),
        place: expect.any(String),
        reason: expect.any(String),
      });
    }
    return 'rejected';
  }
}

describe('damaged statement files', () => {
  it('are parsed or rejected with a place and a reason, never crash', () => {
    const damaged = fc
      .record({
        file: fc.constantFrom(...fixtures),
        cut: fc.double({ min: 0, max: 1, noNaN: true }),
        edits: fc.array(
          fc.record({
            at: fc.double({ min: 0, max: 1, noNaN: true }),
            byte: fc.integer({ min: 0, max: 255 }),
          }),
          { maxLength: 4 },
        ),
      })
      .map(({ file, cut, edits }) => {
        const b = Buffer.from(file.subarray(0, Math.max(1, Math.floor(file.length * cut))));
        for (const e of edits) b[Math.floor(e.at * (b.length - 1))] = e.byte;
        return b;
      });
    fc.assert(
      fc.property(damaged, (b) => {
        outcome(b);
      }),
      { numRuns: 600 },
    );
  });

  it('rejects arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        outcome(Buffer.from(s));
      }),
      { numRuns: 300 },
    );
  });
});
