import { compareModelRuns, type ModelProgramResult, type ModelResult } from './predict.js';

/**
 * What the verifier model says about a series, patch by patch, from the model runs on the tree
 * before the series and after each patch (runs[0] = base, runs[i] = after patch i).
 *
 * (a) flip-not-updated: a selftest's predicted verdict flips at patch i while its expectation is
 *     not updated in that patch, so the model now disagrees with it (the series does not bisect);
 *     `fixedBy` names the first later patch after which it agrees again, if any.
 * (b) annotation-disagrees: a new or changed selftest (annotation or table row changed in patch i)
 *     whose expectation the model disagrees with after patch i.
 * (c) new-kfunc-fails: a kfunc the patch adds is called by a selftest that the model predicts to
 *     fail against its expectation.
 */
export interface ModelFinding {
  kind: 'flip-not-updated' | 'annotation-disagrees' | 'new-kfunc-fails';
  /** 1-based patch index in the series */
  patch: number;
  program: string;
  file: string;
  expected: { verdict: string; message: string };
  predicted: { verdict: string; message: string };
  /** for flips: the prediction before the patch */
  before?: { verdict: string; message: string };
  /** 1-based index of the later patch that makes the model agree again */
  fixedBy?: number;
  kfunc?: string;
}

export function seriesModelFindings(runs: ModelResult[], newKfuncsPerPatch: string[][] = []): ModelFinding[] {
  const findings: ModelFinding[] = [];
  const key = (p: { file: string; name: string }): string => `${p.file}::${p.name}`;
  const byKey = runs.map((r) => new Map(r.programs.map((p) => [key(p), p])));
  const exp = (p: ModelProgramResult): { verdict: string; message: string } => ({ verdict: p.expected.verdict, message: p.expected.message });
  const pred = (p: ModelProgramResult): { verdict: string; message: string } => ({ verdict: p.predicted.verdict, message: p.predicted.message });
  for (let i = 1; i < runs.length; i++) {
    for (const k of newKfuncsPerPatch[i - 1] ?? []) {
      for (const p of runs[i]!.programs) {
        if (p.agree || p.predicted.verdict === 'unsupported') continue;
        if (!(p.calls ?? []).some((c) => c === k || c.replace(/_impl$/, '') === k.replace(/_impl$/, ''))) continue;
        findings.push({ kind: 'new-kfunc-fails', patch: i, program: p.name, file: p.file, expected: exp(p), predicted: pred(p), kfunc: k });
      }
    }
    const flips = compareModelRuns(runs[i - 1]!, runs[i]!);
    for (const f of flips) {
      const after = byKey[i]!.get(key(f));
      if (!after) continue;
      if (findings.some((x) => x.patch === i && x.program === f.name && x.file === f.file)) continue;
      if (f.verdictFlipped && !f.expectationChanged && !after.agree) {
        let fixedBy: number | undefined;
        for (let j = i + 1; j < runs.length; j++) {
          const later = byKey[j]!.get(key(f));
          if (later?.agree) {
            fixedBy = j;
            break;
          }
        }
        findings.push({
          kind: 'flip-not-updated',
          patch: i,
          program: f.name,
          file: f.file,
          expected: exp(after),
          predicted: pred(after),
          before: f.before ? { verdict: f.before.verdict, message: f.before.message } : { verdict: 'absent', message: '' },
          ...(fixedBy !== undefined ? { fixedBy } : {}),
        });
      } else if (f.expectationChanged && !after.agree && after.predicted.verdict !== 'unsupported') {
        findings.push({ kind: 'annotation-disagrees', patch: i, program: f.name, file: f.file, expected: exp(after), predicted: pred(after) });
      }
    }
  }
  return findings;
}
