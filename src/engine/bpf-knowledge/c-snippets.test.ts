import { describe, expect, it } from 'vitest';
import { enclosingStruct, findDefinition, formatLiteral, functionBody, paramSuffix, parsePrototype, structMembers } from './c-snippets.js';

describe('parsePrototype', () => {
  it('reads return type, parameters and suffixes', () => {
    const p = parsePrototype('__bpf_kfunc void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)');
    expect(p).toMatchObject({ name: 'bpf_obj_new_impl', returnType: 'void *', returnsPointer: true, returnsStructPointer: false, hasBpfKfuncAnnotation: true, isStatic: false });
    expect(p?.params.map((x) => [x.name, x.type, x.isPointer, x.suffix])).toEqual([['local_type_id__k', 'u64', false, '__k'], ['meta__ign', 'void *', true, '__ign']]);
  });
  it('handles struct returns, double pointers, void params, function pointers and static', () => {
    expect(parsePrototype('struct task_struct *bpf_task_kptr_get(struct task_struct **pp)')?.params[0]?.type).toBe('struct task_struct * *');
    expect(parsePrototype('struct task_struct *bpf_task_acquire(struct task_struct *p)')?.returnsStructPointer).toBe(true);
    expect(parsePrototype('void bpf_foo(void)')?.params).toEqual([]);
    expect(parsePrototype('int bpf_rbtree_add(struct bpf_rb_root *root, bool (*less)(struct bpf_rb_node *a, const struct bpf_rb_node *b))')?.params[1]).toMatchObject({ name: 'less', isPointer: true });
    expect(parsePrototype('static int bpf_x(int a)')?.isStatic).toBe(true);
  });
  it('suffixes: only after a name part', () => {
    expect(paramSuffix('p__refcounted_kptr')).toBe('__refcounted_kptr');
    expect(paramSuffix('rdonly_buf_size')).toBeNull();
    expect(paramSuffix('__x')).toBeNull();
  });
  it('finds a kernel-style definition with __bpf_kfunc on the line above', () => {
    const text = 'int a;\n__bpf_kfunc\nstruct foo *bpf_foo(struct foo *f)\n{\n\treturn f;\n}\n';
    expect(findDefinition(text, 'bpf_foo')).toMatchObject({ line: 2, proto: { hasBpfKfuncAnnotation: true } });
  });
});

describe('struct and function readers', () => {
  const h = ['struct bpf_reg_state {', '\tenum bpf_reg_type type;', '\tunion {', '\t\tstruct {', '\t\t\tstruct btf *btf;', '\t\t\tu32 btf_id;', '\t\t};', '\t\tu32 mem_size; /* x; y */', '\t};', '\tu32 id;', '\tstruct bpf_reg_state *parent;', '};', ''].join('\n');
  it('flattens nested anonymous structs in declaration order', () => {
    expect(structMembers(h, 'bpf_reg_state')?.members.map((m) => m.name)).toEqual(['type', 'btf', 'btf_id', 'mem_size', 'id', 'parent']);
  });
  it('names the top-level struct around a line', () => {
    expect(enclosingStruct(h, 6)).toBe('bpf_reg_state');
    expect(enclosingStruct(h + 'int x;\n', 13)).toBeNull();
  });
  it('cuts a function body and joins format literals', () => {
    const c = 'static bool regsafe(int a)\n{\n\treturn memcmp(a);\n}\nint b;\n';
    expect(functionBody(c, 'regsafe')?.body).toContain('memcmp');
    expect(formatLiteral('"a %d " "b\\n"')).toBe('a %d b\\n');
  });
});
