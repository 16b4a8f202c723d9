// The Page tables scope: per paging HWPT, its table level by level (each
// table expanded lazily), every present descriptor decoded into its fields
// by the architecture's names, tables and pages with a memoryReference into
// host memory.
import { isPagingDomain } from '../../emulator/engine/core/iommu-domain.js';
import { openIommufds } from '../../emulator/engine/inspect/files.js';
import { decodedTable, type DecodedTable, type TableRef } from '../../emulator/engine/inspect/page-tables.js';
import { Hwpt } from '../../emulator/engine/iommufd/hwpt.js';
import type { Machine } from '../../emulator/engine/machine.js';
import { formatMemoryReference } from './memory-reference.js';
import { hex, leaf, type TreeNode } from './tree-node.js';

export function pageTableNodes(m: Machine): TreeNode[] {
  const out: TreeNode[] = [];
  for (const { name: fd, file } of openIommufds(m)) {
    for (const obj of file.objects.live()) {
      if (!(obj instanceof Hwpt) || !isPagingDomain(obj.domain)) continue;
      const t = decodedTable(obj.domain, m.host.phys);
      out.push({
        name: `${obj.type} ${obj.id}`,
        value: t ? `root ${hex(t.root.table)}, level ${t.root.level} (${t.format})` : `${obj.domain.describe()} (format not decoded)`,
        memoryReference: formatMemoryReference({ kind: 'iova', fd, hwpt: obj.id }, 0n),
        ...(t && { children: () => tableNodes(t, t.root) }),
      });
    }
  }
  return out;
}

const phys = (addr: bigint): string => formatMemoryReference({ kind: 'phys' }, addr);

/** One table's present entries; a table entry expands to the table below. */
function tableNodes(t: DecodedTable, ref: TableRef): TreeNode[] {
  return t.entries(ref).map((e) => {
    const target = e.next ? `-> L${e.next.level} table ${hex(e.next.table)}` : e.page !== undefined ? `-> ${e.kind} ${hex(e.page)}` : '(reserved encoding)';
    return {
      name: `L${ref.level}[${e.index}]`,
      value: `${hex(e.descriptor)} ${target}`,
      memoryReference: phys(ref.table + BigInt(e.index) * 8n),
      children: () => [
        leaf('descriptor', hex(e.descriptor)),
        leaf('kind', e.kind),
        leaf('iova', `${hex(e.iovaStart)}..${hex(e.iovaLast)}`),
        ...Object.entries(e.fields).map(([k, v]) => leaf(k, hex(v))),
        ...(e.next ? [{ name: `L${e.next.level} table`, value: hex(e.next.table), memoryReference: phys(e.next.table), children: () => tableNodes(t, e.next!) }] : []),
        ...(e.page !== undefined ? [{ name: e.kind, value: hex(e.page), memoryReference: phys(e.page) }] : []),
      ],
    };
  });
}
