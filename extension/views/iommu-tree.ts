// The IOMMU tree in the debug sidebar. It asks the adapter for a snapshot
// on every stop (forwards or backwards), so it always shows the machine at
// the current statement.
import * as vscode from 'vscode';
import type { WireSnapshot } from '../snapshot/machine-snapshot.js';
import { iommuTree, type TreeNode } from './iommu-tree-model.js';
import type { StopListener } from './stop-watcher.js';

export class IommuTreeProvider implements vscode.TreeDataProvider<TreeNode>, StopListener {
  private roots: TreeNode[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  stopped(_session: vscode.DebugSession, snapshot: WireSnapshot | undefined, problem?: string): void {
    this.roots = snapshot !== undefined ? iommuTree(snapshot) : [{ label: problem ?? 'No machine state.', children: [] }];
    this.changed.fire();
  }

  ended(): void {
    this.roots = [];
    this.changed.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, node.children.length === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    if (node.object !== undefined) item.contextValue = 'iotraceObject';
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node === undefined ? this.roots : node.children;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
