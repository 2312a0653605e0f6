import { describeRule } from '../../src/engine/rule-test-table.js';
import { rule } from './rule.js';
import { patchBody } from '../../test/rules/support/make-patch.js';

const V = 'kernel/bpf/verifier.c';
const fn = (body: string[]) => patchBody('bpf: add a field lookup helper', [{
  file: V,
  hunks: [{ at: 100, lines: [' }', ' ', '+static struct btf_field *', '+find_field(const struct bpf_reg_state *reg, s32 off)', '+{', ...body.map((l) => '+' + l), '+}', ' ', ' int check_off(void)'] }],
}]);

describeRule(rule, {
  valid: [
    { name: 'checks the variable just assigned', patches: [fn(['\tstruct btf_record *rec;', '', '\trec = reg_btf_record(reg);', '\tif (!rec)', '\t\treturn NULL;', '\treturn btf_record_find(rec, off, 0);'])] },
    { name: 'IS_ERR on the result', patches: [fn(['\tstruct btf *btf = btf_get_by_fd(fd);', '\tif (IS_ERR(btf))', '\t\treturn NULL;', '\treturn NULL;'])] },
    { name: 'the tested variable is not an argument of the call', patches: [fn(['\trec = reg_btf_record(reg);', '\tif (!off)', '\t\treturn NULL;', '\treturn NULL;'])] },
    { name: 'an argument checked after something else was tested first', patches: [fn(['\trec = reg_btf_record(reg);', '\tif (!rec)', '\t\treturn NULL;', '\tif (!reg)', '\t\treturn NULL;', '\treturn NULL;'])] },
    { name: 'old code only (context lines) is not the patch\'s doing', patches: [patchBody('bpf: unrelated', [{ file: V, hunks: [{ at: 10, lines: [' \trec = reg_btf_record(reg);', ' \tif (!reg)', ' \t\treturn NULL;', '+\t/* note */'] }] }])] },
    { name: 'arithmetic helpers: testing an operand is logic, not a wrong check', patches: [fn(['\tn = min(cnt, max_cnt);', '\tif (!cnt)', '\t\treturn NULL;', '\treturn NULL;'])] },
    { name: 'not C', patches: [patchBody('docs: example', [{ file: 'Documentation/bpf/x.rst', hunks: [{ at: 1, lines: ['+  rec = reg_btf_record(reg);', '+  if (!reg)'] }] }])] },
  ],
  invalid: [
    { name: 'the seed: rec = reg_btf_record(reg); if (!reg)', patches: [fn(['\tstruct btf_field *field;', '\tstruct btf_record *rec;', '', '\trec = reg_btf_record(reg);', '\tif (!reg)', '\t\treturn NULL;', '', '\tfield = btf_record_find(rec, off, 0);', '\treturn field;'])],
      findings: [{ kind: 'wrongVariable', message: 'Is this supposed to test rec instead of reg?', file: V, line: 109, severity: 'error' }] },
    { name: 'declaration with initialiser and == NULL', patches: [fn(['\tstruct btf_record *rec = reg_btf_record(reg);', '', '\tif (reg == NULL)', '\t\treturn NULL;', '\treturn NULL;'])],
      findings: [{ message: 'rec is assigned from reg_btf_record()', line: 107 }] },
    { name: 'IS_ERR of the argument', patches: [fn(['\tmap = bpf_map_get(f);', '\tif (IS_ERR(f))', '\t\treturn NULL;', '\treturn NULL;'])],
      findings: [{ message: 'Is this supposed to test map instead of f?', line: 106 }] },
    { name: 'only the check is added, below an existing assignment', patches: [patchBody('bpf: check', [{ file: V, hunks: [{ at: 10, lines: [' \tptr = lookup_elem(map, key);', '+\tif (unlikely(!key))', '+\t\treturn -ENOENT;', ' \treturn 0;'] }] }])],
      findings: [{ message: 'tests key', line: 11 }] },
  ],
});
