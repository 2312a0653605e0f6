/** A subject line read the way b4 reads it. */
export interface ParsedSubject {
  /** Exactly as in the header. */
  original: string;
  /** Re:/RE:/Fwd:/AW:/答复: ... prefixes were present. */
  isReply: boolean;
  isForward: boolean;
  /** Every leading [...] tag group's words, e.g. ["PATCH", "bpf-next", "v2", "02/13"]. */
  tags: string[];
  /** PATCH (or PATCHv2, RFC PATCH...) was in the tags. */
  isPatch: boolean;
  /** 1 when no vN. */
  revision: number;
  /** n of n/N, null when absent. */
  counter: number | null;
  /** N of n/N, null when absent. */
  total: number | null;
  rfc: boolean;
  resend: boolean;
  /** bpf, bpf-next, net, net-next, bpf-next/net ...; null when none. */
  tree: string | null;
  /** The subject with prefixes and tags removed. */
  title: string;
}
