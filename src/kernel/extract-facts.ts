/**
 * The kfunc facts of a kernel tree: KF_* flags, BTF_ID_FLAGS sets with their program types,
 * kfunc definitions, the verifier's special lists, verifier state structs and what the
 * comparison functions read, kfuncs.rst sections. Pure and synchronous: `files` reads, the
 * parser is loaded once by the caller (loadCParser()).
 */
import type {
  KfFlagDef, KfuncDef, KfuncDescriptorFacts, KfuncListFacts, KfuncRegistrationFacts, KfuncSetFacts,
  TreeFacts,
} from '../model/kernel-facts.js';
import type { CParser } from './c-parser.js';
import { extractFunctionReads, extractKfuncDefs, extractStructs } from './extract-c-facts.js';
import { extractEnums, extractFlagDefs, extractKfuncPredicates, extractKfuncsDoc } from './extract-text-facts.js';
import { readKernelVersion } from './read-kernel-version.js';
import { expandXMacroUse, scanKfuncMacros, type MacroScan } from './scan-kfunc-macros.js';
import { extractSelftests } from './selftests.js';
import { isSelftestPath, overlayTreeFiles, type TreeFiles } from './tree-files.js';

const BTF_H = 'include/linux/btf.h';
const BPF_H = 'include/linux/bpf.h';
const BPF_VERIFIER_H = 'include/linux/bpf_verifier.h';
const VERIFIER_C = 'kernel/bpf/verifier.c';
/** Where the state comparison lives (verifier.c, and states.c since v7.x). */
const VERIFIER_STATE_FILES = new Set([VERIFIER_C, 'kernel/bpf/states.c']);
const KFUNCS_RST = 'Documentation/bpf/kfuncs.rst';
const KFUNC_HINT = /BTF_ID_FLAGS|BTF_SET8_START|BTF_KFUNCS_START|register_btf_kfunc_id_set|__bpf_kfunc|btf_kfunc_id_set/;

/** Enums of include/linux/bpf.h worth keeping (the rest of that header is noise to the rules). */
const BPF_H_ENUMS = new Set(['btf_field_type', 'bpf_type_flag', 'bpf_reg_type', 'bpf_arg_type', 'bpf_return_type', 'bpf_kfunc_flags']);

export interface ExtractOptions {
  /**
   * The whole tree the changed files belong to (incremental extraction only): the selftest
   * headers that changed programs include are read from it.
   */
  context?: TreeFiles;
  /** Leave selftests out (faster; for callers that only want the kfunc table). */
  skipSelftests?: boolean;
  /**
   * Read the programs of only these selftest .c files (headers are always read). A review
   * passes the files its series touches: a real tree has thousands of programs, and only the
   * touched ones can change.
   */
  selftestFilter?: (path: string) => boolean;
}

/** Facts of one file, before linking across files. */
interface FileFacts {
  path: string;
  scan: MacroScan | null;
  text: string;
}

export function emptyTreeFacts(): TreeFacts {
  return {
    version: null, flags: [], kfuncs: [], definitions: [], specialKfuncs: [], structs: [], enums: [],
    verifierFunctions: [], selftests: [], expectedFailures: [], kfuncsDoc: [],
    kfuncSets: [], kfuncDescriptors: [], kfuncRegistrations: [], kfuncLists: [], filesRead: [],
  };
}

/** Does this path need reading at all? (cheap: no content check) */
function isFixed(path: string): boolean {
  return path === 'Makefile' || path === BTF_H || path === BPF_H || path === BPF_VERIFIER_H || VERIFIER_STATE_FILES.has(path) || path === KFUNCS_RST;
}

function isCSource(path: string): boolean {
  return /\.(c|h)$/.test(path);
}

/** Finds the text that defines an X-macro list (`#define LIST \\ ...`): the file itself, else a header of the tree. */
type ListLookup = (list: string, fromText: string) => string | null;

function listLookupOver(files: TreeFiles | undefined): ListLookup {
  let headers: string[] | null = null;
  return (list, fromText) => {
    const re = new RegExp(`^\\s*#\\s*define\\s+${list}\\b`, 'm');
    if (re.test(fromText)) return fromText;
    if (!files) return null;
    headers ??= files.list().filter((p) => p.endsWith('.h'));
    for (const h of headers) {
      const t = files.read(h);
      if (t !== null && t.includes(list) && re.test(t)) return t;
    }
    return null;
  };
}

/** Facts every file contributes on its own (everything but kfunc definitions and links). */
function addFileFacts(facts: TreeFacts, parser: CParser, path: string, text: string, lookup: ListLookup = () => null): FileFacts | null {
  (facts.filesRead as string[]).push(path);
  if (path === 'Makefile') facts.version = readKernelVersion(text);
  if (path === KFUNCS_RST) facts.kfuncsDoc = extractKfuncsDoc(text);
  if (path === BTF_H) facts.flags.push(...extractFlagDefs(path, text));
  if (path === BPF_VERIFIER_H) {
    facts.structs.push(...extractStructs(parser, path, text));
    facts.enums.push(...extractEnums(path, text));
  }
  if (path === BPF_H) facts.enums.push(...extractEnums(path, text, (n) => BPF_H_ENUMS.has(n)));
  if (VERIFIER_STATE_FILES.has(path)) {
    facts.verifierFunctions.push(...extractFunctionReads(parser, path, text));
    (facts.kfuncLists as KfuncListFacts[]).push(...extractKfuncPredicates(path, text));
  }
  if (!isCSource(path) || !KFUNC_HINT.test(text) && !text.includes('BTF_ID_LIST')) return null;
  const scan = scanKfuncMacros(text);
  for (const e of scan.entries) {
    facts.kfuncs.push({
      file: path, line: e.line, name: e.name, flags: e.flags, set: e.set, kfuncsSet: e.kfuncsSet,
      progTypes: [], conditions: e.conditions, prototype: null,
    });
  }
  for (const use of scan.xmacroUses) {
    const defining = lookup(use.list, text);
    const rows = defining ? expandXMacroUse(use, defining) : null;
    for (const e of rows ?? []) {
      facts.kfuncs.push({
        file: path, line: e.line, name: e.name, flags: e.flags, set: e.set, kfuncsSet: e.kfuncsSet,
        progTypes: [], conditions: e.conditions, prototype: null, viaMacro: use.list,
      });
    }
  }
  for (const s of scan.sets) {
    (facts.kfuncSets as KfuncSetFacts[]).push({ file: path, line: s.line, name: s.name, kfuncsSet: s.kind === 'kfuncs', endLine: s.endLine, conditions: s.conditions });
  }
  for (const d of scan.descriptors) (facts.kfuncDescriptors as KfuncDescriptorFacts[]).push({ file: path, line: d.line, name: d.name, set: d.set, filter: d.filter });
  for (const r of scan.registrations) {
    (facts.kfuncRegistrations as KfuncRegistrationFacts[]).push({ file: path, line: r.line, progType: r.progType, descriptor: r.descriptor, conditions: r.conditions });
  }
  for (const l of scan.idLists) {
    if (!/kfunc/.test(l.name)) continue;
    (facts.kfuncLists as KfuncListFacts[]).push({ file: path, line: l.line, name: l.name, kfuncs: l.ids.map((i) => i.name), calls: [] });
  }
  return { path, scan, text };
}

function addDefinitions(facts: TreeFacts, parser: CParser, files: FileFacts[], names: ReadonlySet<string>): void {
  for (const f of files) {
    if (!f.scan || !isCSource(f.path)) continue;
    if (f.scan.annotations.length === 0 && !f.scan.entries.some((e) => names.has(e.name))) continue;
    facts.definitions.push(...extractKfuncDefs(parser, f.path, f.text, f.scan, names));
  }
}

function selftestFacts(facts: TreeFacts, files: { path: string; text: string }[]): void {
  if (!files.some((f) => f.path.endsWith('.c'))) return;
  const r = extractSelftests(files);
  facts.selftests.push(...r.programs);
  facts.expectedFailures.push(...r.expectedFailures);
}

/** Resolve cross-file links: program types of each kfunc, prototypes, special_kfunc_list. */
export function linkFacts(facts: TreeFacts): TreeFacts {
  const descs = facts.kfuncDescriptors ?? [];
  const regs = facts.kfuncRegistrations ?? [];
  const progTypesOfSet = (set: string, file: string): string[] => {
    // descriptors of this set: same file first, else anywhere in the tree
    let ds = descs.filter((d) => d.set === set && d.file === file);
    if (ds.length === 0) ds = descs.filter((d) => d.set === set);
    const out: string[] = [];
    for (const d of ds) {
      // registrations in the descriptor's file, and in other files when the name is unique in the tree
      const unique = descs.filter((x) => x.name === d.name).length === 1;
      const rs = regs.filter((r) => r.descriptor === d.name && (r.file === d.file || unique));
      for (const r of rs) if (!out.includes(r.progType)) out.push(r.progType);
    }
    return out;
  };
  const defsByName = new Map<string, KfuncDef[]>();
  for (const d of facts.definitions) defsByName.set(d.name, [...(defsByName.get(d.name) ?? []), d]);
  facts.kfuncs = facts.kfuncs.map((k) => {
    const defs = defsByName.get(k.name) ?? [];
    const def = defs.find((d) => d.file === k.file) ?? defs[0];
    return { ...k, progTypes: k.set ? progTypesOfSet(k.set, k.file) : [], prototype: def ? def.prototype : null };
  });
  const special = (facts.kfuncLists ?? []).find((l) => l.name === 'special_kfunc_list' && l.file === VERIFIER_C)
    ?? (facts.kfuncLists ?? []).find((l) => l.name === 'special_kfunc_list');
  const specialSet = (facts.kfuncLists ?? []).find((l) => l.name === 'special_kfunc_set');
  facts.specialKfuncs = [...new Set([...(special?.kfuncs ?? []), ...(specialSet?.kfuncs ?? [])])].filter((n) => n !== '');
  return facts;
}

function sortFacts(f: TreeFacts): TreeFacts {
  const byLoc = (a: { file: string; line: number }, b: { file: string; line: number }): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
  f.kfuncs.sort(byLoc);
  f.definitions.sort(byLoc);
  f.flags.sort(byLoc);
  f.structs.sort(byLoc);
  f.enums.sort(byLoc);
  f.verifierFunctions.sort(byLoc);
  f.selftests.sort(byLoc);
  f.expectedFailures.sort(byLoc);
  f.kfuncSets?.sort(byLoc);
  f.kfuncDescriptors?.sort(byLoc);
  f.kfuncRegistrations?.sort(byLoc);
  f.kfuncLists?.sort(byLoc);
  f.filesRead?.sort();
  return f;
}

/** Should this path be read for facts? (by name; content hints are checked after reading) */
export function isFactsPath(path: string): boolean {
  return isFixed(path) || isSelftestPath(path) || isCSource(path);
}

/** Full extraction over every candidate path of `files`. */
export function extractFacts(files: TreeFiles, parser: CParser, opts: ExtractOptions = {}): TreeFacts {
  const facts = emptyTreeFacts();
  const perFile: FileFacts[] = [];
  const selftests: { path: string; text: string }[] = [];
  const lookup = listLookupOver(files);
  for (const path of files.list()) {
    if (!isFactsPath(path)) continue;
    const text = files.read(path);
    if (text === null) continue;
    if (isSelftestPath(path)) {
      if (opts.skipSelftests) continue;
      if (opts.selftestFilter && path.endsWith('.c') && !opts.selftestFilter(path)) continue;
      selftests.push({ path, text });
      (facts.filesRead as string[]).push(path);
      continue;
    }
    if (!isFixed(path) && !KFUNC_HINT.test(text)) continue;
    const ff = addFileFacts(facts, parser, path, text, lookup);
    if (ff) perFile.push(ff);
  }
  const names = new Set(facts.kfuncs.map((k) => k.name));
  addDefinitions(facts, parser, perFile, names);
  selftestFacts(facts, selftests);
  return sortFacts(linkFacts(facts));
}

/**
 * Facts after some files changed: `changed` maps a path to its new text (null = deleted).
 * Only those files are re-read; everything else is carried over from `prev`.
 */
export function extractFactsIncremental(prev: TreeFacts, changed: Map<string, string | null>, parser: CParser, opts: ExtractOptions = {}): TreeFacts {
  const gone = (x: { file: string }): boolean => !changed.has(x.file);
  const facts: TreeFacts = {
    version: changed.has('Makefile') ? null : prev.version,
    flags: prev.flags.filter(gone),
    kfuncs: prev.kfuncs.filter(gone),
    definitions: prev.definitions.filter(gone),
    specialKfuncs: [],
    structs: prev.structs.filter(gone),
    enums: prev.enums.filter(gone),
    verifierFunctions: prev.verifierFunctions.filter(gone),
    selftests: prev.selftests.filter(gone),
    expectedFailures: prev.expectedFailures.filter(gone),
    kfuncsDoc: changed.has(KFUNCS_RST) ? [] : prev.kfuncsDoc,
    kfuncSets: (prev.kfuncSets ?? []).filter(gone),
    kfuncDescriptors: (prev.kfuncDescriptors ?? []).filter(gone),
    kfuncRegistrations: (prev.kfuncRegistrations ?? []).filter(gone),
    kfuncLists: (prev.kfuncLists ?? []).filter(gone),
    filesRead: (prev.filesRead ?? []).filter((p) => !changed.has(p)),
  };
  const perFile: FileFacts[] = [];
  const lookup = listLookupOver(opts.context ? overlayTreeFiles(opts.context, changed) : undefined);
  for (const [path, text] of changed) {
    if (text === null || !isFactsPath(path) || isSelftestPath(path)) continue;
    if (!isFixed(path) && !KFUNC_HINT.test(text)) continue;
    const ff = addFileFacts(facts, parser, path, text, lookup);
    if (ff) perFile.push(ff);
  }
  const names = new Set(facts.kfuncs.map((k) => k.name));
  addDefinitions(facts, parser, perFile, names);
  const selftestChanged = [...changed.keys()].filter(isSelftestPath);
  if (!opts.skipSelftests && selftestChanged.length > 0) {
    // programs of changed .c files; when a header changed, every program (it may include it);
    // when a table changed, the programs it names (old and new rows) and the tables naming those
    const headerChanged = selftestChanged.some((p) => p.endsWith('.h'));
    const view = opts.context ? overlayTreeFiles(opts.context, changed) : null;
    const redo = new Set(headerChanged && view ? view.list().filter((p) => isSelftestPath(p) && p.endsWith('.c')) : selftestChanged.filter((p) => p.endsWith('.c')));
    if (view) {
      const tablesChanged = selftestChanged.filter((p) => p.endsWith('.c') && /\/prog_tests\//.test(p));
      const named = new Set(prev.expectedFailures.filter((r) => tablesChanged.includes(r.file)).map((r) => r.program));
      for (const t of tablesChanged) {
        const text = changed.get(t);
        if (text) for (const m of text.matchAll(/\{\s*"(\w+)"\s*,/g)) named.add(m[1] as string);
      }
      for (const p of prev.selftests) if (named.has(p.name)) redo.add(p.file);
      const redoPrograms = new Set(prev.selftests.filter((p) => redo.has(p.file)).map((p) => p.name));
      for (const r of prev.expectedFailures) if (redoPrograms.has(r.program)) redo.add(r.file);
    }
    if (opts.selftestFilter) for (const p of [...redo]) if (!opts.selftestFilter(p)) redo.delete(p);
    facts.selftests = facts.selftests.filter((p) => !redo.has(p.file));
    facts.expectedFailures = facts.expectedFailures.filter((r) => !redo.has(r.file));
    const input: { path: string; text: string }[] = [];
    const paths = new Set([...redo, ...(view ? view.list().filter((p) => isSelftestPath(p) && p.endsWith('.h')) : [])]);
    for (const p of paths) {
      const t = changed.has(p) ? (changed.get(p) ?? null) : (view?.read(p) ?? null);
      if (t !== null) input.push({ path: p, text: t });
    }
    for (const p of selftestChanged) if (changed.get(p) !== null) (facts.filesRead as string[]).push(p);
    selftestFacts(facts, input);
  }
  return sortFacts(linkFacts(facts));
}

/** The KF_* flag definitions by name. */
export function flagsByName(facts: TreeFacts): Map<string, KfFlagDef> {
  return new Map(facts.flags.map((f) => [f.name, f]));
}
