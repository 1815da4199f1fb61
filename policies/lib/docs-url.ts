/** Where a rule's documentation lives: its section of docs/policies.md (generated from the registry). */
export function docsUrl(id: string): string {
  return `docs/policies.md#${id}`;
}
