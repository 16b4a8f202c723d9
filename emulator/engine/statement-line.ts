// Which trace line runs now, as the runtime tells the engine
// (MachineApi.setStatementLine). The engine only quotes it, in reports such
// as "the page was unmapped at line N"; it is a plain object rather than a
// callback so that a checkpoint copy of the machine stays self-contained.
export class StatementLine {
  current?: number;
}
