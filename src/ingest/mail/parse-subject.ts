/**
 * Subject lines read the way b4 reads them: reply/forward prefixes, then every
 * leading `[...]` group's words (PATCH, vN, n/N, RFC, RESEND, tree tags).
 *
 * Pure, no IO.
 */
import type { ParsedSubject } from '../../model/subject.js';

/** Reply prefixes, lower-cased: English, German (AW), Nordic (SV, VS), Dutch (Antw), Polish (Odp), Italian (R, RIF), Chinese. */
const REPLY_PREFIXES = ['re', 'aw', 'sv', 'vs', 'antw', 'odp', 'r', 'rif', '答复', '回复', '回覆', '答覆'];
/** Forward prefixes, lower-cased: Fwd/Fw, German WG, French TR, Chinese. */
const FORWARD_PREFIXES = ['fwd', 'fw', 'wg', 'tr', '转发', '轉寄', '转寄'];

const PREFIX_RE = new RegExp(
  `^\\s*(${[...REPLY_PREFIXES, ...FORWARD_PREFIXES].sort((a, b) => b.length - a.length).join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*[:：]\\s*`,
  'i',
);

/**
 * Tree names accepted as the tree tag (lower-case compare). A token is a tree when it
 * is one of these, or `<tree>/<branch>` where tree is one of these and branch is a
 * tree name or a branch-like word (`bpf-next/net`, `bpf-next/main`, `net/master`).
 */
export const KNOWN_TREES: readonly string[] = [
  'bpf', 'bpf-next', 'net', 'net-next', 'for-next', 'linux-next', 'next', 'stable', 'mainline',
  'mm', 'mm-stable', 'mm-unstable', 'mm-hotfixes', 'mm-nonmm-unstable', 'tip',
  'wireless', 'wireless-next', 'iwl-net', 'iwl-next', 'nf', 'nf-next', 'netfilter',
  'ipsec', 'ipsec-next', 'rdma', 'rdma-next', 'rdma-rc', 'bluetooth', 'bluetooth-next',
  'dwarves', 'pahole', 'libbpf', 'bpftool', 'sched_ext', 'for-linus',
];
const TREE_SET = new Set(KNOWN_TREES);
const BRANCH_RE = /^(?:main|master|for-next|for-linus|next|fixes|[a-z0-9][a-z0-9._-]*)$/;

/** Is this tag token a tree name (see KNOWN_TREES)? */
export function isTreeToken(token: string): boolean {
  const t = token.toLowerCase();
  if (TREE_SET.has(t)) return true;
  const slash = t.indexOf('/');
  if (slash <= 0) return false;
  const head = t.slice(0, slash);
  const rest = t.slice(slash + 1);
  return TREE_SET.has(head) && rest.split('/').every((b) => TREE_SET.has(b) || BRANCH_RE.test(b));
}

const COUNTER_RE = /^(\d{1,4})\/(\d{1,4})$/;
const VERSION_RE = /^v(\d{1,4})$/i;
/** PATCHv3, RFCv2, PATCH-v3, RFC-v2 (also v3-PATCH is not a thing). */
const GLUED_RE = /^(patch|rfc|resend)-?v(\d{1,4})$/i;

/**
 * Parses a subject. `original` is the input, untouched. Reply prefixes (`Re:`,
 * `RE: RE:`, `Re[2]:`, `Fwd:`, `AW:`, `SV:`, `Antw:`, `答复:` ...) may come before or
 * between the leading bracket groups; leading groups that carry no patch words
 * (`[External]`, list tags) are kept in `tags` too. The title is what follows, with
 * runs of blanks collapsed.
 */
export function parseSubject(subject: string): ParsedSubject {
  const out: ParsedSubject = {
    original: subject,
    isReply: false,
    isForward: false,
    tags: [],
    isPatch: false,
    revision: 1,
    counter: null,
    total: null,
    rfc: false,
    resend: false,
    tree: null,
    title: '',
  };
  let rest = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const p = PREFIX_RE.exec(rest);
    // After the tag groups, a prefix only counts when more tag groups follow ("[External] Re: [PATCH]"),
    // so a title such as "[PATCH] tr: ..." keeps its words.
    if (p && (out.tags.length === 0 || rest.slice(p[0].length).startsWith('['))) {
      const word = (p[1] as string).toLowerCase();
      if (FORWARD_PREFIXES.includes(word)) out.isForward = true;
      else out.isReply = true;
      rest = rest.slice(p[0].length);
      continue;
    }
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) break;
      const inner = rest.slice(1, close);
      readTagGroup(inner, out);
      rest = rest.slice(close + 1).trimStart();
      continue;
    }
    break;
  }
  out.title = rest.trim();
  return out;
}

function readTagGroup(inner: string, out: ParsedSubject): void {
  for (const word of inner.split(/[\s,;]+/)) {
    if (word === '') continue;
    out.tags.push(word);
    const glued = GLUED_RE.exec(word);
    if (glued) {
      markKeyword((glued[1] as string).toLowerCase(), out);
      out.revision = Number(glued[2]);
      continue;
    }
    const c = COUNTER_RE.exec(word);
    if (c) {
      out.counter = Number(c[1]);
      out.total = Number(c[2]);
      continue;
    }
    const v = VERSION_RE.exec(word);
    if (v) {
      out.revision = Number(v[1]);
      continue;
    }
    const lower = word.toLowerCase();
    if (lower === 'patch' || lower.startsWith('rfc') || lower.startsWith('resend')) {
      markKeyword(lower.startsWith('rfc') ? 'rfc' : lower.startsWith('resend') ? 'resend' : 'patch', out);
      continue;
    }
    if (out.tree === null && isTreeToken(word)) out.tree = word;
  }
}

function markKeyword(k: string, out: ParsedSubject): void {
  if (k === 'patch') out.isPatch = true;
  else if (k === 'rfc') out.rfc = true;
  else if (k === 'resend') out.resend = true;
}
