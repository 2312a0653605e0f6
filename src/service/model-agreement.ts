/**
 * The verifier model's agreement with a kernel tree's graph selftests (linked_list, rbtree,
 * refcounted_kptr: the expected verdicts and messages), measured when the daemon starts with a
 * tree and recorded in the store for the dashboard's chart.
 */
import { loadModel, predictSelftests } from '../model-bpf/predict.js';
import { readGraphSelftests } from '../model-bpf/tree-input.js';
import { parseKernelVersion } from '../model-bpf/version-semantics.js';
import type { AgreementRow } from '../store/service-store.js';

/** null when the tree has no bpf selftests, no graph selftests or no readable version. */
export async function measureAgreement(tree: string, now: Date): Promise<AgreementRow | null> {
  let input;
  try {
    input = readGraphSelftests(tree);
  } catch {
    return null; // no tools/testing/selftests/bpf in this tree
  }
  if (input.files.length === 0 || !input.version) return null;
  const version = parseKernelVersion(input.version);
  const res = predictSelftests(await loadModel(), { version, kfuncFlags: input.kfuncFlags, files: input.files });
  if (res.totals.programs === 0) return null;
  return { measuredAt: now, kernel: res.version, programs: res.totals.programs, verdictAgree: res.totals.verdictAgree, messageAgree: res.totals.messageAgree };
}
