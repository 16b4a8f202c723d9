// Regenerates the "Errno rules" section of docs/language.md (between its
// markers) from emulator/language/errno-rules.ts:
//   node --import tsx scripts/write-errno-rules-doc.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoRulesMarkdown } from '../emulator/language/errno-rules.js';
import { spliceErrnoSection } from '../emulator/language/errno-rules-doc.js';

const path = join(__dirname, '..', 'docs', 'language.md');
writeFileSync(path, spliceErrnoSection(readFileSync(path, 'utf8'), errnoRulesMarkdown()));
