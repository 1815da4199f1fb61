/**
 * Output files by path, some of them made when first read. Synth renders every object to YAML,
 * which only writing, publishing and diffing read; the policy check reads the runbooks and values
 * files alone, so the YAML of its objects is never made.
 */
export class LazyFiles extends Map<string, string> {
  private readonly pending = new Map<string, () => string>();

  /** Adds `file`, whose content `make` returns when the file is first read. */
  setLazy(file: string, make: () => string): this {
    this.pending.set(file, make);
    return super.set(file, '');
  }

  override set(file: string, content: string): this {
    this.pending.delete(file);
    return super.set(file, content);
  }

  override delete(file: string): boolean {
    this.pending.delete(file);
    return super.delete(file);
  }

  override get(file: string): string | undefined {
    this.make(file);
    return super.get(file);
  }

  override entries(): MapIterator<[string, string]> {
    this.makeAll();
    return super.entries();
  }

  override values(): MapIterator<string> {
    this.makeAll();
    return super.values();
  }

  override forEach(each: (content: string, file: string, map: Map<string, string>) => void, thisArg?: unknown): void {
    this.makeAll();
    super.forEach(each, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  private makeAll(): void {
    for (const file of [...this.pending.keys()]) this.make(file);
  }

  private make(file: string): void {
    const make = this.pending.get(file);
    if (make === undefined) return;
    this.pending.delete(file);
    super.set(file, make());
  }
}
