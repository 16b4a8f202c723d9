// The debug adapter as its own process: DAP over stdin/stdout, so any DAP
// client (VS Code, nvim-dap, ...) can run `node dist/debugAdapter.js`.
import { IotraceDebugSession } from './session.js';

IotraceDebugSession.run(IotraceDebugSession);
