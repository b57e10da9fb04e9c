/** Types for working-tree.mjs (plain JavaScript: scripts/bootstrap.mjs runs before `npm ci`). */
export type WorkingTreeSnapshot = Map<string, string>;
export declare function workingTreeSnapshot(root: string): WorkingTreeSnapshot | null;
export declare function workingTreeChanges(before: WorkingTreeSnapshot, after: WorkingTreeSnapshot): string[];
