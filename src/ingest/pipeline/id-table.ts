/**
 * A hash table from 53-bit id hashes (idHash) to int32 values in two typed arrays (open
 * addressing, linear probing, at most half full): 12 bytes a slot, so 24 bytes or less per
 * id, where a Map of numbers takes about 80.
 */
export class IdTable {
  /** hash + 1 per slot; 0: empty. */
  private keys = new Float64Array(1024);
  private values = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(hash: number): number | undefined {
    const i = this.find(hash + 1);
    return this.keys[i] === 0 ? undefined : this.values[i];
  }

  has(hash: number): boolean {
    return this.keys[this.find(hash + 1)] !== 0;
  }

  set(hash: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const k = hash + 1;
    const i = this.find(k);
    if (this.keys[i] === 0) {
      this.keys[i] = k;
      this.count++;
    }
    this.values[i] = value;
  }

  /** The slot holding key k, or the empty slot where it would go. */
  private find(k: number): number {
    const mask = this.keys.length - 1;
    let i = (k >>> 0) & mask;
    for (;;) {
      const x = this.keys[i] as number;
      if (x === k || x === 0) return i;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.values = new Int32Array(oldKeys.length * 2);
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j] as number;
      if (k === 0) continue;
      const i = this.find(k);
      this.keys[i] = k;
      this.values[i] = oldValues[j] as number;
    }
  }
}
