/**
 * A 53-bit hash of a Message-ID (two 32-bit FNV-1a lanes with different seeds), exact in a
 * JS number: what the streaming pipeline keeps per message it has forgotten instead of the
 * id itself. Two distinct ids share a hash with probability about n^2 / 2^54 (1e-5 for ten
 * million ids).
 */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
}
