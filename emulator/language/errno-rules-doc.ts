// Where the generated "Errno rules" section sits in docs/language.md: between
// two HTML comments, so the generator can replace it and a test can compare it.
export const BEGIN = '<!-- errno-rules:begin (generated from emulator/language/errno-rules.ts; do not edit) -->';
export const END = '<!-- errno-rules:end -->';

/** The text between the markers (undefined when they are missing). */
export function errnoSection(doc: string): string | undefined {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  return b < 0 || e < b ? undefined : doc.slice(b + BEGIN.length, e).trim();
}

/** `doc` with the section between the markers replaced by `body`. */
export function spliceErrnoSection(doc: string, body: string): string {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b < 0 || e < b) throw new Error(`docs/language.md lacks the markers ${BEGIN} ... ${END}`);
  return `${doc.slice(0, b + BEGIN.length)}\n${body}\n${doc.slice(e)}`;
}
