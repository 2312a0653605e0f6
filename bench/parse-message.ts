/**
 * parseMessage throughput over the real mail in ../shared/corpus (every .eml file),
 * with the fast path ('auto') and with mailparser only. Prints messages/s.
 *
 *   npx tsc -p . && node dist/bench/parse-message.js [passes]   (best of the passes, default 5)
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMessageVia, type ParsePath } from '../src/ingest/mail/parse-message.js';
import type { RawMessage } from '../src/model/message.js';

function findShared(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const c = resolve(dir, '..', 'shared');
    if (existsSync(join(c, 'corpus'))) return c;
    dir = resolve(dir, '..');
  }
  return process.env.BPF_REVIEW_SHARED ?? null;
}

function walk(d: string, out: string[]): string[] {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.eml')) out.push(p);
  }
  return out;
}

/** Rates per wall-clock second and per CPU second of this process (the machine is shared, CPU time is steadier). */
async function run(msgs: RawMessage[], path: ParsePath, rounds: number): Promise<{ perSec: number; mbPerSec: number; perCpuSec: number }> {
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const m of msgs) {
      const res = await parseMessageVia(m, path);
      if (!res.ok) throw new Error(`${m.source}: ${res.error.message}`);
      bytes += m.bytes.length;
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  return { perSec: (msgs.length * rounds) / secs, mbPerSec: bytes / 1e6 / secs, perCpuSec: (msgs.length * rounds) / cpuSecs };
}

const shared = findShared();
if (!shared) {
  console.log('../shared is absent: nothing to measure');
} else {
  const rounds = Number(process.argv[2] ?? 5);
  const msgs = walk(join(shared, 'corpus'), []).map((f) => ({ source: f, bytes: readFileSync(f) }));
  let fastable = 0;
  for (const m of msgs) if ((await parseMessageVia(m, 'fast')).ok) fastable++;
  await run(msgs, 'auto', 1); // warm-up
  await run(msgs, 'mailparser', 1);
  // Best of `rounds` single passes: the machine is shared, the best pass is the least disturbed.
  const best = async (path: ParsePath): Promise<{ perSec: number; mbPerSec: number; perCpuSec: number }> => {
    let top = { perSec: 0, mbPerSec: 0, perCpuSec: 0 };
    for (let r = 0; r < rounds; r++) {
      const x = await run(msgs, path, 1);
      if (x.perSec > top.perSec) top = x;
    }
    return top;
  };
  const auto = await best('auto');
  const mp = await best('mailparser');
  console.log(`corpus: ${msgs.length} messages, ${fastable} take the fast path`);
  console.log(`parseMessage (fast path + mailparser): ${auto.perSec.toFixed(0)} messages/s wall, ${auto.perCpuSec.toFixed(0)} messages/CPU-s, ${auto.mbPerSec.toFixed(1)} MB/s`);
  console.log(`parseMessage (mailparser only):        ${mp.perSec.toFixed(0)} messages/s wall, ${mp.perCpuSec.toFixed(0)} messages/CPU-s, ${mp.mbPerSec.toFixed(1)} MB/s`);
}
