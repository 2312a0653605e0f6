import type { Rule } from '../src/engine/rule-kit.js';
import { rule as kfuncFlagUndefined } from './kfunc-flag-undefined/rule.js';
import { rule as kfuncFlagBit } from './kfunc-flag-bit/rule.js';
import { rule as kfuncIterFlags } from './kfunc-iter-flags/rule.js';
import { rule as kfuncFlagReturnType } from './kfunc-flag-return-type/rule.js';
import { rule as kfuncReleaseArg } from './kfunc-release-arg/rule.js';
import { rule as kfuncFlagRedundant } from './kfunc-flag-redundant/rule.js';
import { rule as kfuncKptrGet } from './kfunc-kptr-get/rule.js';
import { rule as kfuncFlagContextConflict } from './kfunc-flag-context-conflict/rule.js';
import { rule as kfuncAcquireRelease } from './kfunc-acquire-release/rule.js';
import { rule as kfuncImplicitArgs } from './kfunc-implicit-args/rule.js';
import { rule as kfuncArenaFlags } from './kfunc-arena-flags/rule.js';
import { rule as kfuncFastcall } from './kfunc-fastcall/rule.js';
import { rule as kfuncSetForm } from './kfunc-set-form/rule.js';
import { rule as kfuncGraphFlag } from './kfunc-graph-flag/rule.js';
import { rule as kfuncDuplicateEntry } from './kfunc-duplicate-entry/rule.js';
import { rule as kfuncFlagUndocumented } from './kfunc-flag-undocumented/rule.js';
import { rule as kfuncFlagMeaninglessAlone } from './kfunc-flag-meaningless-alone/rule.js';
import { rule as kfuncFlagsChanged } from './kfunc-flags-changed/rule.js';
import { rule as kfuncDefinition } from './kfunc-definition/rule.js';
import { rule as kfuncArgSuffix } from './kfunc-arg-suffix/rule.js';
import { rule as verifierStateNotCompared } from './verifier-state-not-compared/rule.js';
import { rule as verifierMessageNewline } from './verifier-message-newline/rule.js';
import { rule as verifierInternalErrorEfault } from './verifier-internal-error-efault/rule.js';
import { rule as selftestBisectFlip } from './selftest-bisect-flip/rule.js';
import { rule as selftestAnnotationDisagrees } from './selftest-annotation-disagrees/rule.js';
import { rule as kfuncOwnSelftestsFail } from './kfunc-own-selftests-fail/rule.js';
import { rule as nullCheckWrongVariable } from './null-check-wrong-variable/rule.js';
import { rule as redundantNullReturn } from './redundant-null-return/rule.js';
import { rule as ignoredErrorCode } from './ignored-error-code/rule.js';
import { rule as splitUserString } from './split-user-string/rule.js';
import { rule as alignmentBreak } from './alignment-break/rule.js';
import { rule as whitespaceOnlyChange } from './whitespace-only-change/rule.js';
import { rule as selftestsMissing } from './selftests-missing/rule.js';
import { rule as selftestsAfterBehaviourChange } from './selftests-after-behaviour-change/rule.js';
import { rule as subjectTreeTag } from './subject-tree-tag/rule.js';
import { rule as bpfFixWithoutFixes } from './bpf-fix-without-fixes/rule.js';
import { rule as ccStable } from './cc-stable/rule.js';
import { rule as coverLetterMissing } from './cover-letter-missing/rule.js';
import { rule as signedOffBy } from './signed-off-by/rule.js';
import { rule as uapiHeaderSync } from './uapi-header-sync/rule.js';
import { rule as libbpfMapMissing } from './libbpf-map-missing/rule.js';
import { rule as selftestCheckDeprecated } from './selftest-check-deprecated/rule.js';

/**
 * The rule pack. Every folder under rules/ holds one rule (rule.ts exporting `rule`,
 * rule.test.ts, README.md, fixtures/) and is listed here exactly once; test/engine/rule-pack.test.ts
 * keeps the folders, this list, the tests and the READMEs in step.
 */
export const allRules: Rule[] = [
  kfuncFlagUndefined,
  kfuncFlagBit,
  kfuncIterFlags,
  kfuncFlagReturnType,
  kfuncReleaseArg,
  kfuncFlagRedundant,
  kfuncKptrGet,
  kfuncFlagContextConflict,
  kfuncAcquireRelease,
  kfuncImplicitArgs,
  kfuncArenaFlags,
  kfuncFastcall,
  kfuncSetForm,
  kfuncGraphFlag,
  kfuncDuplicateEntry,
  kfuncFlagUndocumented,
  kfuncFlagMeaninglessAlone,
  kfuncFlagsChanged,
  kfuncDefinition,
  kfuncArgSuffix,
  verifierStateNotCompared,
  verifierMessageNewline,
  verifierInternalErrorEfault,
  selftestBisectFlip,
  selftestAnnotationDisagrees,
  kfuncOwnSelftestsFail,
  nullCheckWrongVariable,
  redundantNullReturn,
  ignoredErrorCode,
  splitUserString,
  alignmentBreak,
  whitespaceOnlyChange,
  selftestsMissing,
  selftestsAfterBehaviourChange,
  subjectTreeTag,
  bpfFixWithoutFixes,
  ccStable,
  coverLetterMissing,
  signedOffBy,
  uapiHeaderSync,
  libbpfMapMissing,
  selftestCheckDeprecated,
];
