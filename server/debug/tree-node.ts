// The node the Variables view is built from, and the helpers every scope's
// builder shares: a named value whose children are computed only when
// expanded. Addresses and sizes show in hex; ids and counts in decimal.
export interface TreeNode {
  name: string;
  value: string;
  children?: () => TreeNode[];
  memoryReference?: string;
  /** An expression whose value a data breakpoint on this node watches. */
  watch?: string;
}

export const hex = (n: bigint): string => `0x${n.toString(16)}`;
export const range = (r: { start: bigint; last: bigint }): string => `${hex(r.start)}..${hex(r.last)}`;

export function leaf(name: string, value: string): TreeNode {
  return { name, value };
}

export function listNode(name: string, items: TreeNode[]): TreeNode {
  return { name, value: `${items.length} item${items.length === 1 ? '' : 's'}`, children: () => items };
}
