import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const H = 'tools/lib/bpf/libbpf.h';
const decl = { file: H, hunks: [{ at: 100, lines: [' LIBBPF_API int bpf_map__set_autocreate(struct bpf_map *map, bool autocreate);', '+LIBBPF_API int bpf_map__set_autoattach(struct bpf_map *map,', '+\t\t\t\t       bool autoattach);', ' '] }] };
const map = { file: 'tools/lib/bpf/libbpf.map', hunks: [{ at: 400, lines: [' LIBBPF_1.5.0 {', ' \tglobal:', '+\t\tbpf_map__set_autoattach;', ' \t\tbpf_object__token_fd;'] }] };

describeRule(rule, {
  valid: [
    { name: 'declared and listed in one patch', patches: [patchBody('libbpf: add bpf_map__set_autoattach()', [decl, map])] },
    { name: 'listed in a later patch', cover: { subject: '[PATCH bpf-next 0/2] x' }, patches: [patchBody('libbpf: decl', [decl]), patchBody('libbpf: export', [map])] },
    { name: 'a declaration whose signature changes (already exported)', patches: [patchBody('libbpf: constify', [{ file: H, hunks: [{ at: 100, lines: ['-LIBBPF_API int bpf_map__fd(struct bpf_map *map);', '+LIBBPF_API int bpf_map__fd(const struct bpf_map *map);'] }] }])] },
  ],
  invalid: [
    { name: 'new API, map untouched', patches: [patchBody('libbpf: add bpf_map__set_autoattach()', [decl])],
      findings: [{ kind: 'missing', message: 'bpf_map__set_autoattach() is declared LIBBPF_API', patch: 1, file: H, line: 101, severity: 'warning' }] },
    { name: 'pointer-returning API', patches: [patchBody('libbpf: add', [{ file: 'tools/lib/bpf/btf.h', hunks: [{ at: 10, lines: [' ', '+LIBBPF_API const struct btf_type *btf__type_by_name(const struct btf *btf, const char *name);', ' '] }] }])],
      findings: [{ message: 'btf__type_by_name()', file: 'tools/lib/bpf/btf.h', line: 11 }] },
  ],
});
