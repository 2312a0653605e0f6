import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const fn = (body: string[]) => patchBody('bpf: add a field lookup helper', [{
  file: V,
  hunks: [{ at: 100, lines: [' }', ' ', '+static struct btf_field *find_field(struct btf_record *rec, s32 off)', '+{', ...body.map((l) => '+' + l), '+}', ' ', ' int check_off(void)'] }],
}]);

describeRule(rule, {
  valid: [
    { name: 'returns the call directly', patches: [fn(['\treturn btf_record_find(rec, off, 0);'])] },
    { name: 'the NULL check guards further work', patches: [fn(['\tstruct btf_field *field = btf_record_find(rec, off, 0);', '', '\tif (!field)', '\t\treturn NULL;', '\tfield->offset = off;', '\treturn field;'])] },
    { name: 'returns another value on NULL', patches: [fn(['\tstruct btf_field *field = btf_record_find(rec, off, 0);', '', '\tif (!field)', '\t\treturn ERR_PTR(-ENOENT);', '\treturn field;'])] },
    { name: 'inner block: the return belongs to an outer scope', patches: [fn(['\tif (rec) {', '\t\tif (!rec->fields)', '\t\t\treturn NULL;', '\t}', '\treturn NULL;'])] },
    { name: 'all context (not the patch\'s doing)', patches: [patchBody('bpf: unrelated', [{ file: V, hunks: [{ at: 10, lines: [' \tif (!field)', ' \t\treturn NULL;', ' \treturn field;', '+', '+/* end */'] }] }])] },
  ],
  invalid: [
    { name: 'the seed\'s reg_find_field_offset() tail', patches: [fn(['\tstruct btf_field *field;', '', '\tfield = btf_record_find(rec, off, 0);', '\tif (!field)', '\t\treturn NULL;', '', '\treturn field;'])],
      findings: [{ kind: 'redundant', message: 'Could this be just `return field;`', file: V, line: 107, severity: 'info' }] },
    { name: '== NULL form', patches: [fn(['\tstruct btf_field *f = btf_record_find(rec, off, 0);', '\tif (f == NULL)', '\t\treturn NULL;', '\treturn f;'])],
      findings: [{ message: '`if (!f) return NULL;`', line: 105 }] },
  ],
});
