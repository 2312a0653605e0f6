import type { Patch } from '../../src/model/patch.js';
import { filePath } from '../../src/model/diff.js';
import { parseSubject } from '../../src/ingest/mail/parse-subject.js';

/** Paths the BPF maintainers own (MAINTAINERS "BPF [GENERAL]" and friends, abridged). */
const BPF_PATHS = /^(?:kernel\/bpf\/|include\/linux\/(?:bpf|btf|filter)|include\/uapi\/linux\/(?:bpf|btf)|tools\/lib\/bpf\/|tools\/bpf\/|tools\/testing\/selftests\/bpf\/|tools\/include\/uapi\/linux\/(?:bpf|btf)|samples\/bpf\/|Documentation\/bpf\/|net\/core\/filter\.c|net\/bpf\/|kernel\/trace\/bpf_trace\.c|arch\/[^/]+\/net\/bpf|net\/xdp\/|kernel\/bpf)/;
/** Subject prefixes of BPF patches ("bpf:", "libbpf:", "selftests/bpf:", "bpftool:", "bpf, docs:" ...). */
const BPF_TITLE = /^(?:bpf|libbpf|bpftool|selftests\/bpf|selftests: bpf|tools\/bpf|samples\/bpf|docs\/bpf|bpf\/[\w-]+|[\w-]+\/bpf)\b/i;

/** Is this a BPF patch (so BPF's process rules apply), by the files it touches or its subject prefix? */
export function isBpfPatch(p: Patch): boolean {
  if (p.files.some((f) => BPF_PATHS.test(filePath(f)))) return true;
  return BPF_TITLE.test(parseSubject(p.subject).title);
}
