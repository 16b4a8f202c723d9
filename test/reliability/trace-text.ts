// Arbitrary trace texts for the front end's properties: token soup drawn
// from the language's own vocabulary, real traces (the examples and the
// conformance suite) with slices cut, duplicated or replaced, and raw
// strings with control characters, NULs and lone surrogates.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';


function traces(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.iotrace'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  } catch {
    return [];
  }
}

/** Real traces (tests run from the repository root): the seeds the mutations start from. */
export const CORPUS: readonly string[] = [...traces(resolve('examples')), ...traces(resolve('../shared/conformance'))];

const WORDS = [
  'ioas', 'map', 'unmap', 'repeat', 'in', 'proc', 'let', 'include', 'iommufd', 'device', 'iommu', 'memory', 'attach', 'detach',
  'hwpt_alloc', 'destroy', 'expect', 'users', 'ok', 'EINVAL', 'ENOENT', '=>', '{', '}', '(', ')', '[', ']', '=', ',', '.', '..',
  ':', '+', '-', '*', '/', '<<', '>>', '&&', '||', '!', '"', '"x.iotrace"', '#', '# comment', '0x', '0x1000', '1_000', '18446744073709551616',
  '-1', '4K', '2M', 'true', 'none', 'null', '__proto__', 'constructor', 'i', 'x', '\n', '\n', '  ', '\t', '\r\n', '\\', "'", '`',
];

const tokenSoup = fc.array(fc.constantFrom(...WORDS), { maxLength: 60 }).map((ws) => ws.join(' '));

const rawText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 80 }).map((cs) => String.fromCharCode(...cs)),
);

/** A corpus trace with one edit: a slice removed, repeated, or replaced by soup. */
const mutated =
  CORPUS.length === 0
    ? tokenSoup
    : fc
        .record({
          doc: fc.constantFrom(...CORPUS),
          at: fc.nat(),
          len: fc.nat({ max: 200 }),
          edit: fc.constantFrom('cut', 'repeat', 'replace'),
          soup: tokenSoup,
        })
        .map(({ doc, at, len, edit, soup }) => {
          const a = at % (doc.length + 1);
          const b = Math.min(doc.length, a + len);
          if (edit === 'cut') return doc.slice(0, a) + doc.slice(b);
          if (edit === 'repeat') return doc.slice(0, b) + doc.slice(a, b) + doc.slice(b);
          return doc.slice(0, a) + soup + doc.slice(b);
        });

export const traceText: fc.Arbitrary<string> = fc.oneof({ weight: 2, arbitrary: tokenSoup }, { weight: 1, arbitrary: rawText }, { weight: 3, arbitrary: mutated });
