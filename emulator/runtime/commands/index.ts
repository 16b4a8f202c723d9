// Every command the runtime can execute, by name.
import { ACCESS_COMMANDS } from './access.js';
import type { CommandHandler } from './context.js';
import { CPU_DMA_COMMANDS } from './cpu-dma.js';
import { EVENT_COMMANDS } from './events.js';
import { GUEST_COMMANDS } from './guest.js';
import { HWPT_COMMANDS } from './hwpt.js';
import { IOAS_COMMANDS } from './ioas.js';
import { KERNEL_COMMANDS } from './kernel.js';
import { RAW_COMMANDS } from './raw.js';
import { SELFTEST_COMMANDS } from './selftest.js';
import { SVA_COMMANDS } from './sva.js';
import { TOPOLOGY_COMMANDS } from './topology.js';
import { VFIO_COMMANDS } from './vfio.js';
import { VIOMMU_COMMANDS } from './viommu.js';

export const COMMAND_HANDLERS: ReadonlyMap<string, CommandHandler> = new Map(Object.entries({
  ...TOPOLOGY_COMMANDS,
  ...KERNEL_COMMANDS,
  ...VFIO_COMMANDS,
  ...IOAS_COMMANDS,
  ...HWPT_COMMANDS,
  ...VIOMMU_COMMANDS,
  ...EVENT_COMMANDS,
  ...SVA_COMMANDS,
  ...ACCESS_COMMANDS,
  ...SELFTEST_COMMANDS,
  ...CPU_DMA_COMMANDS,
  ...GUEST_COMMANDS,
  ...RAW_COMMANDS,
}));
